// Renders the haproxy.cfg that ScaleDeck runs: per service a backend filled at run time and (unless it is served only on
// the shared frontend) a frontend of its own, optionally a shared frontend routing by Host and path, a stats page.
import { join } from 'node:path';
import { HOLD_EXPIRED_LINE, holdActionLine, holdFrontendLines, holdGlobalLines } from './request-hold.js';
import { requestLogLines, type RequestLogTarget } from './request-log.js';
import { checkAddresses, hasOwnFrontend, isPort, NO_ROUTE_BODY, routeAcls, routingOrder, servicesIn, SHARED_FRONTEND_NAME } from './service-routing.js';

export type HaproxyConfigStyle = 'scaledeck' | 'seed';

/** One service's part of the config: its own frontend and backend, and optionally a route on the shared frontend. */
export interface ServiceRouting {
  /** Its HAProxy backend and frontend section names (letters, digits, _ . : -). */
  backend: string;
  frontend: string;
  frontendHost: string;
  /** 0: no frontend of its own; it is then served only by its `route` on the shared frontend. */
  frontendPort: number;
  healthPath: string;
  /** Hold requests up to this many seconds while its backend has no server up; absent: 503 at once. */
  holdTimeoutS?: number;
  /**
   * Also listens on this UNIX socket (mode 666): the relay that answers to the service's name inside a Compose
   * project's networks forwards its callers here, so they reach the replicas through the balancer too.
   */
  relaySocket?: string;
  /** Also served on the shared frontend when a request matches: Host header (exact, case-insensitive, port ignored) and/or path prefix; both given = both must match. */
  route?: { host?: string; pathPrefix?: string };
}

/**
 * Either `services`, or the single-service fields (frontendHost, frontendPort, healthPath, backendName,
 * holdTimeoutS) describing one service with the frontend FRONTEND_NAME; not both.
 */
export interface HaproxyConfigOptions {
  dataDir: string;
  frontendHost?: string;
  frontendPort?: number;
  statsPort: number;
  healthPath?: string;
  backendName?: string;
  /** 1 to 16 services, each with its own frontend and backend. */
  services?: ServiceRouting[];
  /** One more frontend routing by each service's `route`; no match: 404. */
  sharedFrontend?: { host: string; port: number };
  /** Where ScaleDeck listens for per-request timings (UDP on 127.0.0.1) and their secret; no request log when absent. */
  requestLog?: RequestLogTarget;
  /** Servers the backends start with: those the running HAProxy had, carried across a reload. */
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
  /** The backend it belongs to; absent = the first service's. */
  backend?: string;
}

export const DEFAULT_BACKEND = 'scaledeck';
export const DEFAULT_CHECK_INTER_MS = 1000;
/** The weight of every server ScaleDeck adds or carries across a reload: room for slowstart to ramp in 100 steps. */
export const SERVER_WEIGHT = 100;
export const FRONTEND_NAME = 'scaledeck_in';
export const STATS_FRONTEND_NAME = 'scaledeck_stats';

/** The shared frontend's choice of backend for a request, made once. */
const ROUTE_VAR = 'scaledeck_route';

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
  checkOptions(options);
  const services = servicesIn(options, { frontend: FRONTEND_NAME, backend: DEFAULT_BACKEND, reserved: [STATS_FRONTEND_NAME, SHARED_FRONTEND_NAME] });
  checkAddresses(options, services);
  const serversOf = serversByBackend(options.servers ?? [], services);

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
      ...(services.some((s) => s.holdTimeoutS !== undefined) ? holdGlobalLines(options.dataDir) : []),
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
    ...services.flatMap((service): Array<[string, string[]]> => [
      // A service only on the shared frontend still gets one when a Compose relay reaches it over its socket.
      ...(hasOwnFrontend(service) || service.relaySocket !== undefined ? [ownFrontend(options, service)] : []),
      // Servers are added over the runtime socket; roundrobin is one of the algorithms that accepts them.
      [`backend ${service.backend}`, [
        'balance roundrobin',
        `option httpchk GET ${service.healthPath}`,
        ...(options.healthPathMap ? [`http-check send meth GET uri-lf %[srv_name,map(${quote(options.healthPathMap)},${mapDefault(service.healthPath)})]`] : []),
        'http-check expect status 200',
        ...resilience(options.style ?? 'scaledeck'),
        ...(serversOf.get(service.backend) ?? []).map(serverLine),
      ]],
    ]),
    ...(options.sharedFrontend === undefined ? [] : [sharedFrontend(options, options.sharedFrontend, services)]),
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

function resilience(style: HaproxyConfigStyle): string[] {
  if (style === 'seed') return ['retries 0'];
  return [
    'retries 3',
    'option redispatch',
    // Replaying a request is safe only when it is idempotent; a failed connect never reached the server.
    'retry-on conn-failure empty-response junk-response response-timeout 503',
    'http-request disable-l7-retry unless METH_GET',
  ];
}

function requestLog(options: HaproxyConfigOptions): string[] {
  return options.requestLog === undefined ? [] : requestLogLines(options.requestLog);
}

function closing(options: HaproxyConfigOptions): string[] {
  return options.closingAcl ? [`http-after-response set-header Connection close if { src -f ${quote(options.closingAcl)} }`] : [];
}

/** A service's own frontend: every request on its address goes to its backend. */
function ownFrontend(options: HaproxyConfigOptions, service: ServiceRouting): [string, string[]] {
  return [`frontend ${service.frontend}`, [
    // haproxy takes the text after the last colon as the port, so an IPv6 literal needs no brackets.
    ...(hasOwnFrontend(service) ? [`bind ${service.frontendHost}:${service.frontendPort}`] : []),
    ...(service.relaySocket === undefined ? [] : [`bind ${quote(`unix@${service.relaySocket}`)} mode 666`]),
    // First, so every request draws whether it is logged before a hold or a backend takes it.
    ...requestLog(options),
    ...(service.holdTimeoutS === undefined ? [] : holdFrontendLines(service.backend, service.holdTimeoutS)),
    ...closing(options),
    `default_backend ${service.backend}`,
  ]];
}

/**
 * The frontend that serves every routed service on one address. The route is decided once, into a variable, so the
 * hold, the 404 and the backend all follow the same choice even when two routes match one request.
 */
function sharedFrontend(options: HaproxyConfigOptions, bind: { host: string; port: number }, services: ServiceRouting[]): [string, string[]] {
  const routed = routingOrder(services);
  const chosen = (backend: string) => `{ var(txn.${ROUTE_VAR}) -m str ${backend} }`;
  return [`frontend ${SHARED_FRONTEND_NAME}`, [
    `bind ${bind.host}:${bind.port}`,
    ...requestLog(options),
    ...routed.flatMap((service) => routeAcls(service)?.acls ?? []),
    ...routed.map((service) => `http-request set-var(txn.${ROUTE_VAR}) str(${service.backend}) if ${routeAcls(service)?.condition} !{ var(txn.${ROUTE_VAR}) -m found }`),
    `http-request return status 404 content-type text/plain string "${NO_ROUTE_BODY}" unless { var(txn.${ROUTE_VAR}) -m found }`,
    ...routed.flatMap((service) => (service.holdTimeoutS === undefined ? [] : [holdActionLine(service.backend, service.holdTimeoutS, chosen(service.backend))])),
    ...(routed.some((service) => service.holdTimeoutS !== undefined) ? [HOLD_EXPIRED_LINE] : []),
    ...closing(options),
    ...routed.map((service) => `use_backend ${service.backend} if ${chosen(service.backend)}`),
  ]];
}

/** Each backend's servers; a server names its backend, or belongs to the first service's. */
function serversByBackend(servers: ConfiguredServer[], services: ServiceRouting[]): Map<string, ConfiguredServer[]> {
  const byBackend = new Map<string, ConfiguredServer[]>(services.map((s) => [s.backend, []]));
  for (const server of servers) {
    const list = byBackend.get(server.backend ?? (services[0] as ServiceRouting).backend);
    if (list === undefined) throw new Error(`HAProxy config: server ${server.name} belongs to the backend "${server.backend}", which no service has`);
    list.push(server);
  }
  return byBackend;
}

function checkOptions(options: HaproxyConfigOptions): void {
  if (!isPort(options.statsPort)) {
    throw new Error(`HAProxy config: statsPort must be a port number between 1 and 65535, got ${options.statsPort}`);
  }
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
  for (const relay of (options.services ?? []).flatMap((service) => service.relaySocket ?? [])) {
    if (Buffer.byteLength(relay) > MAX_SOCKET_PATH_BYTES || /["\\$\n\r]/.test(relay)) {
      throw new Error(`HAProxy config: the relay socket path ${relay} is longer than ${MAX_SOCKET_PATH_BYTES} bytes or holds quotes or line breaks; choose a shorter data folder`);
    }
  }
}

function quote(path: string): string {
  return `"${path}"`;
}
