// `ports:` (short and long syntax, ranges, host IPs) and `expose:` read into one list of container ports and where each is published.
import { describe, FieldScope, integerAt, isMap, listAt, textAt } from './compose-fields.js';

export interface PortMapping {
  target: number;
  /** The fixed host port; undefined when the engine picks one (no host port, or a host range for one container port). */
  published?: number;
  hostIp?: string;
  protocol: string;
}

/** A range longer than this is refused: no real file publishes more ports from one entry. */
const MAX_RANGE = 1000;

export function readPorts(scope: FieldScope, value: unknown): PortMapping[] {
  return listAt(scope, value, 'ports').flatMap((item, i) => (isMap(item) ? [longPort(scope, item, `ports.${i}`)] : shortPort(scope, item, `ports.${i}`)));
}

export function readExpose(scope: FieldScope, value: unknown): Array<{ port: number; protocol: string }> {
  return listAt(scope, value, 'expose').flatMap((item, i) => {
    const key = `expose.${i}`;
    const [ports = '', protocol = 'tcp'] = (textAt(scope, item, key) ?? '').split('/');
    return range(scope, ports, key).map((port) => ({ port, protocol: protocol.toLowerCase() }));
  });
}

function longPort(scope: FieldScope, item: Record<string, unknown>, key: string): PortMapping {
  const target = integerAt(scope, item.target, `${key}.target`, 1, 65535);
  if (target === undefined) scope.fail(`${key}.target`, 'is required in the long syntax (the container port)');
  const publishedText = textAt(scope, item.published, `${key}.published`);
  const [low, high] = publishedText === undefined || publishedText === '' ? [] : bounds(scope, publishedText, `${key}.published`);
  return {
    target,
    published: low !== undefined && low === high ? low : undefined,
    hostIp: textAt(scope, item.host_ip, `${key}.host_ip`) || undefined,
    protocol: (textAt(scope, item.protocol, `${key}.protocol`) ?? 'tcp').toLowerCase(),
  };
}

/** `[[IP:](port|range):](port|range)[/protocol]`, where IP may be an IPv6 address, bracketed or not. */
function shortPort(scope: FieldScope, item: unknown, key: string): PortMapping[] {
  if (typeof item !== 'string' && typeof item !== 'number') scope.fail(key, `must be a port string such as "8080:80" or a mapping, not ${describe(item)}`);
  const text = String(item).trim();
  const slash = text.lastIndexOf('/');
  const protocol = slash < 0 ? 'tcp' : text.slice(slash + 1).toLowerCase();
  const spec = slash < 0 ? text : text.slice(0, slash);
  let hostIp: string | undefined;
  let rest = spec;
  const bracket = /^\[([^\]]*)\]:(.*)$/.exec(spec);
  if (bracket) {
    hostIp = bracket[1];
    rest = bracket[2] as string;
  }
  const parts = rest.split(':');
  const container = parts.pop() as string;
  const host = parts.length > 0 ? (parts.pop() as string) : undefined;
  if (parts.length > 0) hostIp = parts.join(':');
  const targets = range(scope, container, key);
  const [low, high] = host === undefined || host === '' ? [] : bounds(scope, host, key);
  const hostCount = low === undefined || high === undefined ? 0 : high - low + 1;
  if (hostCount > 1 && targets.length > 1 && hostCount !== targets.length) {
    scope.fail(key, `publishes a host range of ${hostCount} ports for a container range of ${targets.length}; they must be the same length`);
  }
  const hosts = low !== undefined && hostCount === targets.length ? targets.map((_, i) => low + i) : [];
  return targets.map((target, i) => ({
    target,
    // One container port and a host range: the engine picks a free port in the range.
    published: hosts.length === targets.length ? hosts[i] : undefined,
    hostIp: hostIp || undefined,
    protocol,
  }));
}

/** `8080` or `8080-8085`, each from 1 to 65535. */
function bounds(scope: FieldScope, text: string, key: string): [number, number] {
  const match = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(text);
  if (!match) scope.fail(key, `"${text.slice(0, 40)}" is not a port or a port range such as 8080 or 8080-8085`);
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  for (const port of [from, to]) if (port < 1 || port > 65535) scope.fail(key, `port ${port} is out of range (1 to 65535)`);
  if (to < from) scope.fail(key, `range ${from}-${to} ends before it starts`);
  return [from, to];
}

/** Every port of a container range (a host range for one container port is only bounds: the engine picks in it). */
function range(scope: FieldScope, text: string, key: string): number[] {
  const [from, to] = bounds(scope, text, key);
  if (to - from >= MAX_RANGE) scope.fail(key, `range ${from}-${to} is longer than ${MAX_RANGE} ports`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
