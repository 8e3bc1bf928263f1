// Env files (`.env` and a service's `env_file`) read as Compose reads them: `KEY=VALUE` lines, quotes, comments, `export`.
import { interpolateText, type Lookup } from './compose-interpolate.js';

/** One line's problem, for the caller to place in a ComposeFileError. */
export class EnvFileError extends Error {}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' };

/**
 * Parses env-file text (`format: raw` keeps each value exactly as written). Unquoted and double-quoted values are interpolated from the file's earlier lines, then `outer`;
 * single-quoted values are literal. A line `KEY` alone leaves KEY unset (it is not in the result).
 */
export function parseEnvFile(text: string, outer: Lookup = () => undefined, format: 'compose' | 'raw' = 'compose'): Record<string, string> {
  const values = new Map<string, string>();
  const lookup: Lookup = (name) => values.get(name) ?? outer(name);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    let line = (lines[n] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice('export '.length).trim();
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!KEY.test(key)) throw new EnvFileError(`line ${n + 1}: "${key.slice(0, 40)}" is not a variable name`);
    if (eq < 0) continue;
    let raw = line.slice(eq + 1).trimStart();
    // `format: raw`: the value as written, quotes and dollars included.
    if (format === 'raw') {
      values.set(key, raw);
      continue;
    }
    const quote = raw[0];
    if (quote === '"' || quote === "'") {
      // A quoted value may run over several lines, up to its closing quote.
      let close = findClose(raw, quote);
      while (close < 0 && n + 1 < lines.length) {
        raw += `\n${lines[++n]}`;
        close = findClose(raw, quote);
      }
      if (close < 0) throw new EnvFileError(`line ${n + 1}: the value of ${key} has no closing ${quote}`);
      const body = raw.slice(1, close);
      values.set(key, quote === "'" ? body.replace(/\\'/g, "'") : interpolateText(unescape(body), lookup));
    } else {
      const comment = raw.search(/\s#/);
      const value = (comment < 0 ? raw : raw.slice(0, comment)).trim();
      values.set(key, interpolateText(value, lookup));
    }
  }
  return Object.fromEntries(values);
}

function findClose(raw: string, quote: string): number {
  for (let i = 1; i < raw.length; i++) {
    if (raw[i] === '\\') i++;
    else if (raw[i] === quote) return i;
  }
  return -1;
}

/** Double-quoted escapes; `\$` stays escaped as `$$` so interpolation keeps a literal dollar. */
function unescape(body: string): string {
  return body.replace(/\\(.)/g, (whole, c: string) => (c === '$' ? '$$' : (ESCAPES[c] ?? whole)));
}
