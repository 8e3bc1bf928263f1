// The first pass: a Compose file's text parsed into a plain mapping, refusing what is too big, malformed or an alias bomb.
import { parseDocument } from 'yaml';
import { ComposeFileError } from './compose-plan-types.js';
import { isMap, type YamlMap } from './compose-fields.js';

export const MAX_COMPOSE_BYTES = 1024 * 1024;
/** Real files nest a handful of levels; the passes after this one recurse, so deeper input is refused here. */
const MAX_DEPTH = 32;
/** Real files use a few dozen aliases; billion-laughs bombs need thousands. */
const MAX_ALIASES = 1000;

export function loadCompose(yaml: string, file: string): YamlMap {
  const bytes = Buffer.byteLength(yaml, 'utf8');
  if (bytes > MAX_COMPOSE_BYTES) {
    throw new ComposeFileError(file, '(file)', `is ${bytes} bytes; a Compose file ScaleDeck reads may be 1 MiB (${MAX_COMPOSE_BYTES} bytes) at most`);
  }
  const doc = parseDocument(yaml, { merge: true, uniqueKeys: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0];
    // The parser runs out of stack on hostile nesting and says so in its own words.
    const problem = /call stack/i.test(error.message) ? `nests deeper than ScaleDeck reads (${MAX_DEPTH} levels at most)` : `is not valid YAML: ${error.message.split('\n')[0]}`;
    throw new ComposeFileError(file, line ? `line ${line.line}` : '(file)', problem);
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new ComposeFileError(file, '(file)', `cannot be read: ${message} (aliases that expand too far are refused)`);
  }
  if (!isMap(root)) throw new ComposeFileError(file, '(file)', 'must be a mapping with a services: key');
  const deep = deepestPath(root);
  if (deep !== undefined) throw new ComposeFileError(file, deep, `nests deeper than ScaleDeck reads (${MAX_DEPTH} levels at most)`);
  return root;
}

/** The path to a value nested deeper than MAX_DEPTH, found level by level without recursion; undefined when none is. */
function deepestPath(root: YamlMap): string | undefined {
  let level: Array<{ value: unknown; path: string[] }> = [{ value: root, path: [] }];
  for (let depth = 0; level.length > 0; depth++) {
    const next: typeof level = [];
    for (const { value, path } of level) {
      if (typeof value !== 'object' || value === null) continue;
      if (depth >= MAX_DEPTH) return path.join('.');
      for (const [key, item] of Object.entries(value)) next.push({ value: item, path: [...path, key] });
    }
    level = next;
  }
  return undefined;
}
