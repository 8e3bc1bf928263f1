// Renders the haproxy.cfg that ScaleDeck runs: one frontend, one backend filled at run time, a stats page.
import { join } from 'node:path';
import { holdFrontendLines, holdGlobalLines } from './request-hold.js';
import { frontendHostProblem, healthPathProblem } from './config-values.js';
import { requestLogLines, type RequestLogTarget } from './request-log.js';

export type HaproxyConfigStyle = 'scaledeck' | 'seed';

export interface HaproxyConfigOptions {
  dataDir: string;
  frontendHost: string;
  frontendPort: number;
  statsPort: number;
  healthPath: string;
  backendName?: string;
  /** Where ScaleDeck listens for per-request timings (UDP on 127.0.0.1) and their secret; no request log when absent. */
  requestLog?: RequestLogTarget;
  /** Servers the backend starts with: those the running HAProxy had, carried across a reload. */
  servers?: ConfiguredServer[];
  /**
   * Check each server on its own path, looked up by server name in this map file (which must exist; entries are
   * set at run time with `add map`), so replicas of two generations are checked on their own paths side by side.
   */
  healthPathMap?: string;
  /** 'seed' reproduces the original script's settings (no retries, no redispatch) so a benchmark can compare. */
  style?: HaproxyConfigStyle;
  /** Hold requests up to this many seconds while no server is up (request-hold.ts); absent: answer 503 at once. */
  holdTimeoutS?: number;
  /**
   * An ACL file (which must exist; empty on disk) of client addresses answered with `Connection: close`: a reload
   * fills it in the old worker's memory so its keep-alive connections end after an answer (reload-keeping-servers.ts).
   */
  closingAcl?: string;
}

export interface ConfiguredServer {
  name: string;
  address: string;
  port: number;
}

export const DEFAULT_BACKEND = 'scaledeck';
export const DEFAULT_CHECK_INTER_MS = 1000;
/** The weight of every server ScaleDeck adds or carries across a reload: room for slowstart to ramp in 100 steps. */
export const SERVER_WEIGHT = 100;
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

/** Where `show servers state` is dumped before a reload, for the new worker to take each server's state from. */
export function serverStatePath(dataDir: string): string {
  return join(dataDir, 'haproxy-servers.state');
}

/**
 * The options of every server line, runtime-added or configured, so a server is the same after a reload.
 * A server added at run time keeps no idle connection by default (pool-max-conn 0, pool-purge-delay 0), so every
 * request opened a new one: through Docker's port proxy a third of the throughput and thousands of TIME-WAIT
 * sockets. A short purge delay still lets `del server` go through soon after a drain.
 */
export function serverParameters(checkInterMs = DEFAULT_CHECK_INTER_MS, slowStartS = 0): string {
  const inter = Math.max(100, Math.round(checkInterMs));
  // slowstart applies to a server added at run time too (checked on 2.6.12): the ramp starts when it leaves maint.
  // It scales the effective weight in integer steps, so weight 1 (the default) cannot ramp at all; every server gets
  // the same weight, which keeps the shares even. A reload's configured servers carry no ramp: it is transient.
  const slowStartMs = Math.round(slowStartS * 1000);
  const slowStart = slowStartMs > 0 ? ` slowstart ${slowStartMs}` : '';
  return `check inter ${inter} fall 2 rise 1 weight ${SERVER_WEIGHT} pool-max-conn -1 pool-purge-delay 1s${slowStart}`;
}

/** A server line: HAProxy takes the text after the last colon as the port, so IPv6 needs no brackets. */
function serverLine(server: ConfiguredServer): string {
  return `server ${server.name} ${server.address}:${server.port} ${serverParameters()}`;
}

export function closingAclPath(dataDir: string): string {
  return join(dataDir, 'closing-clients.acl');
}

/** The request log's sampling ranges (request-log.ts sampleAcl). */
export function requestLogSampleAclPath(dataDir: string): string {
  return join(dataDir, 'request-log-sample.acl');
}

export function healthPathMapPath(dataDir: string): string {
  return join(dataDir, 'health-paths.map');
}

/** The path a server without a map entry is checked on; the converter's argument syntax allows no quoting. */
function mapDefault(healthPath: string): string {
  return /^\/[A-Za-z0-9._~/-]*$/.test(healthPath) ? healthPath : '/';
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
      // Written right before a reload: the new worker starts each carried-over server in its current state (UP, drain).
      `server-state-file ${quote(serverStatePath(options.dataDir))}`,
      'maxconn 4096',
      // A soft stop waits for open connections; this bounds how long quitting can take.
      'hard-stop-after 10s',
      // Without this a second haproxy could bind the same ports silently and split the traffic.
      'noreuseport',
      ...holdLines(options, backend).global,
    ]],
    ['defaults', [
      'mode http',
      'load-server-state-from-file global',
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
      // First, so every request draws whether it is logged before a hold or a backend takes it.
      ...(options.requestLog === undefined ? [] : requestLogLines(options.requestLog)),
      ...holdLines(options, backend).frontend,
      ...(options.closingAcl ? [`http-after-response set-header Connection close if { src -f ${quote(options.closingAcl)} }`] : []),
      `default_backend ${backend}`,
    ]],
    // Servers are added over the runtime socket; roundrobin is one of the algorithms that accepts them.
    [`backend ${backend}`, [
      'balance roundrobin',
      `option httpchk GET ${options.healthPath}`,
      ...(options.healthPathMap ? [`http-check send meth GET uri-lf %[srv_name,map(${quote(options.healthPathMap)},${mapDefault(options.healthPath)})]`] : []),
      'http-check expect status 200',
      ...resilience,
      ...(options.servers ?? []).map(serverLine),
    ]],
    [`frontend ${STATS_FRONTEND_NAME}`, [
      `bind 127.0.0.1:${options.statsPort}`,
      // Another Host means a page in a browser that reached 127.0.0.1 under a name of its own (DNS rebinding).
      `http-request deny deny_status 403 unless { req.hdr(host),lower -m str ${statsHosts(options.statsPort).join(' ')} }`,
      'stats enable',
      'stats uri /',
      'stats refresh 2s',
    ]],
  ];

  const body = sections.map(([head, lines]) => [head, ...lines.map((line) => `    ${line}`)].join('\n'));
  return `# Written by ScaleDeck; rewritten on every start of HAProxy.\n${body.join('\n\n')}\n`;
}

/** The Host headers the stats page answers: its own address, by IP or as localhost (no port when it is 80). */
export function statsHosts(statsPort: number): string[] {
  return ['127.0.0.1', 'localhost'].flatMap((host) => [`${host}:${statsPort}`, ...(statsPort === 80 ? [host] : [])]);
}

/** The scale-to-zero hold, kept apart from the rest of the config: its script is written by writeHoldScript. */
function holdLines(options: HaproxyConfigOptions, backend: string): { global: string[]; frontend: string[] } {
  if (options.holdTimeoutS === undefined) return { global: [], frontend: [] };
  return { global: holdGlobalLines(options.dataDir), frontend: holdFrontendLines(backend, options.holdTimeoutS) };
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
  const healthPath = healthPathProblem(options.healthPath);
  if (healthPath !== undefined) throw new Error(`HAProxy config: healthPath ${healthPath}, got "${options.healthPath}"`);
  if (!/^[A-Za-z0-9_.:-]+$/.test(backend)) {
    throw new Error(`HAProxy config: backendName may contain only letters, digits, "_", ".", ":" and "-", got "${backend}"`);
  }
  const frontendHost = frontendHostProblem(options.frontendHost);
  if (frontendHost !== undefined) throw new Error(`HAProxy config: frontendHost ${frontendHost}, got "${options.frontendHost}"`);
  for (const server of options.servers ?? []) {
    if (!/^[A-Za-z0-9_.:-]+$/.test(server.name) || !/^[0-9A-Fa-f.:]+$/.test(server.address) || !Number.isInteger(server.port)) {
      throw new Error(`HAProxy config: server ${JSON.stringify(server)} is not a valid name, IP address and port`);
    }
  }
  if (options.closingAcl !== undefined && /["\\$\n\r]/.test(options.closingAcl)) {
    throw new Error(`HAProxy config: the closing ACL's path must not contain quotes, backslashes, "$" or line breaks: ${options.closingAcl}`);
  }
  if (options.healthPathMap !== undefined && /[\r\n,()"'\\$]/.test(options.healthPathMap)) {
    throw new Error(`HAProxy config: the health path map's path must not contain commas, parentheses, quotes or line breaks: ${options.healthPathMap}`);
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
