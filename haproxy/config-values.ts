// What HAProxy's config can take for the values a person sets: shared by the config renderer and the settings schema.

const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`);

/** Plain code, no node:net: the settings schema that uses this is type-checked for the renderer too. */
function isIpLiteral(host: string): boolean {
  if (IPV4.test(host)) return true;
  if (!host.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(host)) return false;
  // The WHATWG URL parser accepts exactly the valid IPv6 literals between brackets.
  return URL.canParse(`http://[${host}]/`);
}

/**
 * `option httpchk GET <path>` is one config word: whitespace and `#` end it, quotes and backslashes are parsed away,
 * and a control or non-ASCII byte has no place in a request line.
 */
export function healthPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must be a path starting with /';
  if (!/^[\x21-\x7e]*$/.test(path)) return 'must not contain spaces, control characters or non-ASCII characters';
  const bad = /["'\\#]/.exec(path);
  if (bad) return `must not contain ${bad[0]} (HAProxy's config cannot carry it in a health check path)`;
  // The Runtime API reads `;` as the end of a command, and the path is sent through it when a replica is checked.
  if (path.includes(';')) return "must not contain ; (HAProxy's Runtime API reads it as the end of a command)";
  return undefined;
}

/** The frontend binds an address: an IP literal, or localhost. Names would be resolved once, at start, by HAProxy. */
export function frontendHostProblem(host: string): string | undefined {
  if (host === 'localhost' || isIpLiteral(host)) return undefined;
  return 'must be an IP address (such as 127.0.0.1, 0.0.0.0 or ::1) or localhost';
}
