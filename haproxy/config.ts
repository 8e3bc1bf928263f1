// Renders the haproxy.cfg that ScaleDeck runs: one frontend, one backend filled at run time, a stats page.
import { join } from 'node:path';
import { requestLogLines } from './request-log.js';

export type HaproxyConfigStyle = 'scaledeck' | 'seed';

export interface HaproxyConfigOptions {
  dataDir: string;
  frontendHost: string;
  frontendPort: number;
  statsPort: number;
  healthPath: string;
  backendName?: string;
  /** Where ScaleDeck listens for per-request timings (UDP on 127.0.0.1); no request log when absent. */
  requestLogPort?: number;
  /** 'seed' reproduces the original script's settings (no retries, no redispatch) so a benchmark can compare. */
  style?: HaproxyConfigStyle;
}

export const DEFAULT_BACKEND = 'scaledeck';
export const FRONTEND_NAME = 'scaledeck_in';
export const STATS_FRONTEND_NAME = 'scaledeck_stats';

// sun_path holds 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH_BYTES = 107;

export function pidfilePath(dataDir: string): string {
  return join(dataDir, 'haproxy.pid');
}

export function socketPath(dataDir: string): string {
  return join(dataDir, 'haproxy.sock');
}

export function configPath(dataDir: string): string {
  return join(dataDir, 'haproxy.cfg');
}

export function renderHaproxyConfig(options: HaproxyConfigOptions): string {
  const backend = options.backendName ?? DEFAULT_BACKEND;
  const style = options.style ?? 'scaledeck';
  checkOptions(options, backend);

  const resilience = style === 'scaledeck'
    ? [
        'retries 3',
        'option redispatch',
        // Replaying a request is safe only when it is idempotent; a failed connect never reached the server.
        'retry-on conn-failure empty-response junk-response response-timeout 503',
        'http-request disable-l7-retry unless METH_GET',
      ]
    : ['retries 0'];

  const sections: Array<[string, string[]]> = [
    ['global', [
      'master-worker',
      `pidfile ${quote(pidfilePath(options.dataDir))}`,
      `stats socket ${quote(socketPath(options.dataDir))} mode 600 level admin expose-fd listeners`,
      'stats timeout 30s',
      'maxconn 4096',
      // A soft stop waits for open connections; this bounds how long quitting can take.
      'hard-stop-after 10s',
      // Without this a second haproxy could bind the same ports silently and split the traffic.
      'noreuseport',
    ]],
    ['defaults', [
      'mode http',
      'option forwardfor',
      'timeout connect 2s',
      'timeout client 30s',
      'timeout server 30s',
      'timeout http-keep-alive 5s',
      'timeout http-request 10s',
      'timeout queue 10s',
      'timeout check 2s',
    ]],
    [`frontend ${FRONTEND_NAME}`, [
      // haproxy takes the text after the last colon as the port, so an IPv6 literal needs no brackets.
      `bind ${options.frontendHost}:${options.frontendPort}`,
      `default_backend ${backend}`,
      ...(options.requestLogPort === undefined ? [] : requestLogLines(options.requestLogPort)),
    ]],
    // Servers are added over the runtime socket; roundrobin is one of the algorithms that accepts them.
    [`backend ${backend}`, [
      'balance roundrobin',
      `option httpchk GET ${options.healthPath}`,
      'http-check expect status 200',
      ...resilience,
    ]],
    [`frontend ${STATS_FRONTEND_NAME}`, [
      `bind 127.0.0.1:${options.statsPort}`,
      'stats enable',
      'stats uri /',
      'stats refresh 2s',
    ]],
  ];

  const body = sections.map(([head, lines]) => [head, ...lines.map((line) => `    ${line}`)].join('\n'));
  return `# Written by ScaleDeck; rewritten on every start of HAProxy.\n${body.join('\n\n')}\n`;
}

function checkOptions(options: HaproxyConfigOptions, backend: string): void {
  for (const [field, port] of [['frontendPort', options.frontendPort], ['statsPort', options.statsPort]] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`HAProxy config: ${field} must be a port number between 1 and 65535, got ${port}`);
    }
  }
  if (options.frontendPort === options.statsPort) {
    throw new Error(`HAProxy config: frontendPort and statsPort must differ (both are ${options.statsPort})`);
  }
  if (!/^\/[^\s"'\\#]*$/.test(options.healthPath)) {
    throw new Error(`HAProxy config: healthPath must start with "/" and contain no spaces or quotes, got "${options.healthPath}"`);
  }
  if (!/^[A-Za-z0-9_.:-]+$/.test(backend)) {
    throw new Error(`HAProxy config: backendName may contain only letters, digits, "_", ".", ":" and "-", got "${backend}"`);
  }
  if (!/^[A-Za-z0-9_.:*-]+$/.test(options.frontendHost)) {
    throw new Error(`HAProxy config: frontendHost must be an address or host name, got "${options.frontendHost}"`);
  }
  if (/["\\$\n\r]/.test(options.dataDir)) {
    throw new Error(`HAProxy config: the data folder path must not contain quotes, backslashes, "$" or line breaks: ${options.dataDir}`);
  }
  const socket = socketPath(options.dataDir);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`HAProxy config: the runtime socket path is longer than ${MAX_SOCKET_PATH_BYTES} bytes, which UNIX sockets do not allow: ${socket}; choose a shorter data folder`);
  }
}

function quote(path: string): string {
  return `"${path}"`;
}
