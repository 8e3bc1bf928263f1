// The headless shell's HTTP + WebSocket server: the contract's commands over the routes in contract.ts, the built
// renderer as static files, /metrics for Prometheus. Token, Host and Origin are checked on every API call.
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import {
  COMPOSE_PATH,
  httpRoutes,
  SERVICES_PATH,
  type HttpRoute,
  type ServiceView,
  inputFromQuery,
  LOCAL_ONLY_SETTINGS,
  STREAM_PATH,
  type CommandName,
  type ComposeInput,
  type Result,
  type StreamMessage,
} from '../../contract/contract.js';
import { COMPOSE_BODY_BYTES } from '../../contract/compose-contract.js';
import { jsonNestingPastLimit, MAX_INPUT_DEPTH } from '../../contract/input-shape.js';
import { dispatchCommand, resolveService, type CommandTarget } from '../common/dispatch.js';
import { createPrometheusRegistry, type PrometheusSource } from '../../core/metrics/prometheus.js';
import { attachStream, DEFAULT_STREAM_LIMITS, type StreamLimits } from './stream-socket.js';

export interface HeadlessTarget extends CommandTarget, PrometheusSource {
  subscribe(listener: (message: StreamMessage) => void): () => void;
}

export interface HeadlessServerOptions {
  target: HeadlessTarget;
  host: string;
  port: number;
  token: string;
  rendererDir: string;
  stream?: StreamLimits;
  /**
   * The folders of the Compose files opened on this machine (`--compose`): the only `projectDir`s an API call may
   * name, so a caller with the token cannot have ScaleDeck read or mount files from anywhere else on the host.
   */
  composeDirs?: readonly string[];
}

export interface HeadlessServer {
  /** The dashboard URL, token included. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
export const MIN_TOKEN_LENGTH = 16;

/** Why a token set by SCALEDECK_TOKEN cannot guard the API, or undefined when it can. */
export function tokenProblem(token: string): string | undefined {
  if (token.length >= MIN_TOKEN_LENGTH) return undefined;
  return `SCALEDECK_TOKEN is ${token.length} characters long; use at least ${MIN_TOKEN_LENGTH} (or unset it for a random one per start)`;
}

/** A warning when the dashboard is reachable from other machines, or undefined for a loopback address. */
export function exposureWarning(host: string): string | undefined {
  if (host === 'localhost' || host === '::1' || /^127\./.test(host)) return undefined;
  return `Warning: the dashboard listens on ${host}, reachable from other machines; anyone with the token can scale and reconfigure. Use --host 127.0.0.1 to keep it local.`;
}

/** Where the token may come from: a browser cannot put a header on a page load or a WebSocket, so only those take ?token=. */
type TokenSource = 'none' | 'header' | 'header-or-query';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

function sendResult(res: http.ServerResponse, result: Result<unknown>): void {
  if ('result' in result) return sendJson(res, 200, result.result);
  if (result.notFound) return sendJson(res, 404, result.field ? { error: result.error, field: result.field } : { error: result.error });
  return sendJson(res, 400, result);
}

function tokensEqual(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The Host names a browser may use to reach us: anything else is DNS rebinding or a mistake. */
function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  if (host !== '0.0.0.0' && host !== '::') names.add(host.includes(':') ? `[${host}]` : host);
  return new Set([...names].map((name) => `${name}:${port}`));
}

async function readJsonBody(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<{ ok: true; value: unknown } | { ok: false; status: number; error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return { ok: false, status: 413, error: `body: larger than ${limit} bytes` };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return { ok: true, value: undefined };
  if (jsonNestingPastLimit(text)) return { ok: false, status: 400, error: `body: nested deeper than ${MAX_INPUT_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400, error: 'body: is not valid JSON' };
  }
}

const COMPOSE_DIR_REASON =
  'a project folder is read only when its Compose file was opened on this machine (npm run serve -- --compose FILE); send the file\'s text without projectDir otherwise';

const LOCAL_ONLY_REASON =
  'can be set only on this machine (the settings file, SCALEDECK_HAPROXY or DOCKER_HOST, the command line, or the desktop window), not over the HTTP API';

/** A local-only setting a settings patch tries to change over HTTP, or undefined. */
function localOnlyField(patch: unknown): string | undefined {
  if (typeof patch !== 'object' || patch === null) return undefined;
  return LOCAL_ONLY_SETTINGS.find((name) => Object.hasOwn(patch, name));
}

const routeByKey = new Map(
  (Object.entries(httpRoutes) as [CommandName, (typeof httpRoutes)[CommandName]][]).map(([command, route]) => [`${route.method} ${route.path}`, command]),
);
const knownPaths = new Set(Object.values(httpRoutes).map((route) => route.path));

export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const { target, token, rendererDir } = options;
  const registry = createPrometheusRegistry(target);
  let hosts = allowedHosts(options.host, options.port);

  const checkRequest = (req: http.IncomingMessage, url: URL, tokenFrom: TokenSource): { status: number; error: string } | null => {
    if (!hosts.has(req.headers.host ?? '')) return { status: 403, error: `Host: ${req.headers.host ?? '(none)'} is not this server` };
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts.has(origin.replace(/^https?:\/\//, ''))) return { status: 403, error: `Origin: ${origin} may not use this server` };
    if (tokenFrom === 'none') return null;
    const header = req.headers.authorization;
    const given = header?.startsWith('Bearer ') ? header.slice(7) : tokenFrom === 'header-or-query' ? url.searchParams.get('token') : null;
    if (!tokensEqual(given, token)) {
      const where = tokenFrom === 'header' ? 'send it as Authorization: Bearer <token>' : 'open the dashboard URL that `npm run serve` printed';
      return { status: 401, error: `token: missing or wrong; ${where}` };
    }
    return null;
  };

  const serveStatic = async (res: http.ServerResponse, pathname: string): Promise<void> => {
    let relative: string;
    try {
      relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    } catch {
      // Malformed percent-encoding names no file we have; it is not a server fault.
      return sendJson(res, 404, { error: 'Not found' });
    }
    const file = path.resolve(rendererDir, relative);
    if (!file.startsWith(path.resolve(rendererDir) + path.sep)) return sendJson(res, 404, { error: 'Not found' });
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      if (pathname === '/') return sendJson(res, 500, { error: `The dashboard is not built (${path.join(rendererDir, 'index.html')} is missing): run npm run build` });
      return sendJson(res, 404, { error: 'Not found' });
    }
    const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': relative === 'index.html' ? 'no-cache' : 'public, max-age=3600' });
    res.end(await readFile(file));
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isApi = url.pathname.startsWith('/api/') || url.pathname === '/metrics';
    const rejected = checkRequest(req, url, isApi ? 'header' : 'none');
    if (rejected) return sendJson(res, rejected.status, { error: rejected.error });
    if (url.pathname === '/metrics') {
      if (req.method !== 'GET') return sendJson(res, 405, { error: `${req.method} is not allowed on /metrics` });
      res.writeHead(200, { 'Content-Type': registry.contentType });
      res.end(await registry.metrics());
      return;
    }
    if (!isApi) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: `${req.method} is not allowed here` });
      return serveStatic(res, url.pathname);
    }
    if (url.pathname.startsWith(`${SERVICES_PATH}/`)) return handleService(req, res, url);
    if (url.pathname.startsWith(`${COMPOSE_PATH}/`) && !routeByKey.has(`POST ${url.pathname}`)) return handleComposeProject(req, res, url);
    const command = routeByKey.get(`${req.method} ${url.pathname}`);
    if (!command) {
      if (knownPaths.has(url.pathname)) return sendJson(res, 405, { error: `${req.method} is not allowed on ${url.pathname}` });
      return sendJson(res, 404, { error: `No API endpoint ${url.pathname}` });
    }
    const route = httpRoutes[command];
    // A GET takes its input from the query string; one with no parameters of its own still refuses unknown ones.
    if (route.method === 'GET') {
      const query = inputFromQuery(route, url.searchParams);
      if (!query.ok) return sendJson(res, 400, { error: query.error, field: query.field });
      return sendResult(res, await dispatchCommand(target, command, query.value));
    }
    const compose = command === 'planCompose' || command === 'applyCompose';
    const body = await readJsonBody(req, compose ? COMPOSE_BODY_BYTES : MAX_BODY_BYTES);
    if (!body.ok) return sendJson(res, body.status, { error: body.error, field: 'body' });
    const localOnly = command === 'updateSettings' ? localOnlyField(body.value) : undefined;
    if (localOnly) return sendJson(res, 403, { error: `${localOnly}: ${LOCAL_ONLY_REASON}`, field: localOnly });
    if (compose) {
      const projectDir = (body.value as { projectDir?: unknown } | undefined)?.projectDir;
      const opened = typeof projectDir === 'string' && (options.composeDirs ?? []).includes(path.resolve(projectDir));
      if (typeof projectDir === 'string' && !opened) return sendJson(res, 403, { error: `projectDir: ${COMPOSE_DIR_REASON}`, field: 'projectDir' });
      // Only a file whose folder was opened on this machine may name its files; one sent from elsewhere names none.
      const access = { hostFiles: opened };
      const scoped: CommandTarget = Object.assign(Object.create(target) as CommandTarget, {
        planCompose: (input: ComposeInput) => target.planCompose(input, access),
        applyCompose: (input: ComposeInput) => target.applyCompose(input, access),
      });
      return sendResult(res, await dispatchCommand(scoped, command, body.value));
    }
    return sendResult(res, await dispatchCommand(target, command, body.value));
  };

  /** `DELETE /api/compose/{project}`: the path names the project. */
  const handleComposeProject = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const encoded = url.pathname.slice(COMPOSE_PATH.length + 1);
    if (req.method !== 'DELETE') return sendJson(res, 405, { error: `${req.method} is not allowed on ${url.pathname} (use DELETE)` });
    let project: string;
    try {
      project = decodeURIComponent(encoded);
    } catch {
      return sendJson(res, 400, { error: `project: ${encoded} is not a valid name`, field: 'project' });
    }
    // The path names the project; a body may be left out or be an empty object, and anything in it is refused.
    const body = await readJsonBody(req);
    if (!body.ok) return sendJson(res, body.status, { error: body.error, field: 'body' });
    const extra = body.value;
    if (extra !== undefined && (typeof extra !== 'object' || extra === null || Array.isArray(extra))) {
      return sendJson(res, 400, { error: `input: DELETE ${url.pathname} takes no body but an empty object`, field: 'input' });
    }
    if (extra !== undefined && Object.hasOwn(extra, 'project')) return sendJson(res, 400, { error: 'project: is named in the path; the body may not name it', field: 'project' });
    return sendResult(res, await dispatchCommand(target, 'removeCompose', { ...(extra as object | undefined), project }));
  };

  /** `/api/services/{name}` (GET: its view; PATCH: its settings) and `/api/services/{name}/…`: a per-service command. */
  const handleService = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const [encoded = '', ...restParts] = url.pathname.slice(SERVICES_PATH.length + 1).split('/');
    let name: string;
    try {
      name = decodeURIComponent(encoded);
    } catch {
      return sendJson(res, 400, { error: `service: ${encoded} is not a valid name`, field: 'service' });
    }
    const rest = restParts.length ? `/${restParts.join('/')}` : '';
    if (rest === '' && req.method === 'GET') {
      const resolved = resolveService(target, name);
      if ('error' in resolved) return sendResult(res, resolved);
      const views = await dispatchCommand(target, 'getServices', undefined);
      if ('error' in views) return sendResult(res, views);
      return sendJson(res, 200, (views.result as ServiceView[]).find((view) => view.name === resolved.name));
    }
    if (rest === '' && req.method === 'DELETE') {
      // The path names the service; a body may be left out or be an empty object, and anything in it is refused.
      const body = await readJsonBody(req);
      if (!body.ok) return sendJson(res, body.status, { error: body.error, field: 'body' });
      const extra = body.value;
      if (extra !== undefined && (typeof extra !== 'object' || extra === null || Array.isArray(extra))) {
        return sendJson(res, 400, { error: `input: DELETE ${url.pathname} takes no body but an empty object`, field: 'input' });
      }
      return sendResult(res, await dispatchCommand(target, 'removeService', { ...(extra as object | undefined), name }));
    }
    const candidates = (Object.entries(httpRoutes) as [CommandName, HttpRoute][]).filter(([, route]) => route.service === rest);
    const match = candidates.find(([, route]) => route.method === req.method);
    if (!match) {
      const allowed = [...candidates.map(([, route]) => route.method), ...(rest === '' ? ['GET', 'DELETE'] : [])];
      if (allowed.length > 0) return sendJson(res, 405, { error: `${req.method} is not allowed on ${url.pathname} (use ${allowed.join(' or ')})` });
      return sendJson(res, 404, { error: `No API endpoint ${url.pathname}` });
    }
    const [command, route] = match;
    if (route.method === 'GET') {
      const query = inputFromQuery(route, url.searchParams);
      if (!query.ok) return sendJson(res, 400, { error: query.error, field: query.field });
      return sendResult(res, await dispatchCommand(target, command, query.value, name));
    }
    const body = await readJsonBody(req);
    if (!body.ok) return sendJson(res, body.status, { error: body.error, field: 'body' });
    const localOnly = command === 'updateSettings' ? localOnlyField(body.value) : undefined;
    if (localOnly) return sendJson(res, 403, { error: `${localOnly}: ${LOCAL_ONLY_REASON}`, field: localOnly });
    return sendResult(res, await dispatchCommand(target, command, body.value, name));
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // The details are for the log: a raw message can carry paths and engine answers the caller has no use for.
      console.error(`${new Date().toISOString()} [error] ${req.method} ${req.url?.split('?')[0]} failed: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error: the server could not answer this request; its log has the details' });
      else res.destroy();
    });
  });
  server.requestTimeout = 30_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const rejected = url.pathname === STREAM_PATH ? checkRequest(req, url, 'header-or-query') : { status: 404, error: 'Not found' };
    if (rejected) {
      socket.end(`HTTP/1.1 ${rejected.status} ${http.STATUS_CODES[rejected.status]}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ error: rejected.error })}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachStream(ws, target, options.stream ?? DEFAULT_STREAM_LIMITS));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  hosts = allowedHosts(options.host, port);
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/?token=${token}`,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
