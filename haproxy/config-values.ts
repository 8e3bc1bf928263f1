// What HAProxy's config can take for the values a person sets: shared by the config renderer and the settings schema.
import { isIP } from 'node:net';

/**
 * `option httpchk GET <path>` is one config word: whitespace and `#` end it, quotes and backslashes are parsed away,
 * and a control or non-ASCII byte has no place in a request line.
 */
export function healthPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must be a path starting with /';
  if (!/^[\x21-\x7e]*$/.test(path)) return 'must not contain spaces, control characters or non-ASCII characters';
  const bad = /["'\\#]/.exec(path);
  if (bad) return `must not contain ${bad[0]} (HAProxy's config cannot carry it in a health check path)`;
  return undefined;
}

/** The frontend binds an address: an IP literal, or localhost. Names would be resolved once, at start, by HAProxy. */
export function frontendHostProblem(host: string): string | undefined {
  if (host === 'localhost' || isIP(host) !== 0) return undefined;
  return 'must be an IP address (such as 127.0.0.1, 0.0.0.0 or ::1) or localhost';
}
