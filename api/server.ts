// The sample workload ScaleDeck scales: a dependency-free HTTP server that says hello, burns CPU on demand and shuts down gracefully.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const MAX_WORK_MS = 2000;
export const MAX_ECHO_BYTES = 1024 * 1024;
/** Bytes of an oversized body discarded after the 413 so the client can read it; beyond this the socket is cut. */
const OVERSIZE_DISCARD_BYTES = 8 * 1024 * 1024;
const DEFAULT_SHUTDOWN_DEADLINE_MS = 25_000;

export interface ApiServerOptions {
  /** Name answered as `host`; all child processes of the process driver share one hostname, so they pass their own. */
  hostName?: string;
  /** After this long, shutdown cuts the remaining connections. */
  shutdownDeadlineMs?: number;
}

export interface ApiServer {
  server: Server;
  readonly shuttingDown: boolean;
  /** Stops accepting, lets in-flight requests finish; resolves true when all finished, false when the deadline cut them. */
  shutdown(): Promise<boolean>;
}

function burnCpu(ms: number): void {
  const end = performance.now() + ms;
  // Busy on purpose: /work exists to use CPU, not to wait.
  while (performance.now() < end);
}

export function createApiServer(options: ApiServerOptions = {}): ApiServer {
  const host = options.hostName ?? process.env.API_HOST_NAME ?? hostname();
  const deadlineMs = options.shutdownDeadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS;
  let shuttingDown = false;
  let shutdownPromise: Promise<boolean> | undefined;

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    // Decided at answer time, so requests already in flight when shutdown began also close their connection.
    if (shuttingDown) headers.Connection = 'close';
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  }

  function rejectOversized(req: IncomingMessage, res: ServerResponse): void {
    send(res, 413, { error: `body: must be ${MAX_ECHO_BYTES} bytes or less` }, { Connection: 'close' });
    let discarded = 0;
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > OVERSIZE_DISCARD_BYTES) req.socket.destroy();
    });
  }

  function echo(req: IncomingMessage, res: ServerResponse): void {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_ECHO_BYTES) {
      rejectOversized(req, res);
      return;
    }
    let bytes = 0;
    let rejected = false;
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > MAX_ECHO_BYTES && !rejected) {
        rejected = true;
        req.off('data', onData);
        rejectOversized(req, res);
      }
    };
    req.on('data', onData);
    req.on('end', () => {
      if (!rejected) send(res, 200, { host, bytes });
    });
  }

  function work(url: URL, res: ServerResponse): void {
    const raw = url.searchParams.get('ms') ?? '';
    const ms = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
    if (!(ms <= MAX_WORK_MS)) {
      send(res, 400, { error: `ms: must be a whole number from 0 to ${MAX_WORK_MS}` });
      return;
    }
    burnCpu(ms);
    send(res, 200, { host, ms });
  }

  const routes: Record<string, { method: string; handle: (req: IncomingMessage, res: ServerResponse, url: URL) => void }> = {
    '/': { method: 'GET', handle: (_req, res) => send(res, 200, { host, message: 'Hello' }) },
    '/healthz': {
      method: 'GET',
      handle: (_req, res) => (shuttingDown ? send(res, 503, { status: 'shutting down' }) : send(res, 200, { status: 'ok' })),
    },
    '/work': { method: 'GET', handle: (_req, res, url) => work(url, res) },
    '/echo': { method: 'POST', handle: (req, res) => echo(req, res) },
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://api.invalid');
    const route = routes[url.pathname];
    if (!route) {
      send(res, 404, { error: `no route for ${url.pathname}: try GET /, /healthz, /work?ms=N or POST /echo` });
      return;
    }
    if (req.method !== route.method && !(route.method === 'GET' && req.method === 'HEAD')) {
      send(res, 405, { error: `${url.pathname} answers ${route.method} only` }, { Allow: route.method });
      return;
    }
    route.handle(req, res, url);
  });

  function shutdown(): Promise<boolean> {
    shutdownPromise ??= new Promise<boolean>((resolve) => {
      shuttingDown = true;
      const deadline = setTimeout(() => {
        server.closeAllConnections();
        resolve(false);
      }, deadlineMs);
      deadline.unref();
      server.close(() => {
        clearTimeout(deadline);
        resolve(true);
      });
      server.closeIdleConnections();
    });
    return shutdownPromise;
  }

  return {
    server,
    get shuttingDown() {
      return shuttingDown;
    },
    shutdown,
  };
}

function runAsMain(): void {
  const api = createApiServer();
  const port = Number(process.env.PORT ?? 8000);
  const listenHost = process.env.HOST ?? '0.0.0.0';
  api.server.listen(port, listenHost, () => {
    console.log(`api listening on http://${listenHost}:${port} as ${process.env.API_HOST_NAME ?? hostname()}`);
  });
  api.server.on('error', (error) => {
    console.error(`api could not listen on ${listenHost}:${port}: ${error.message} (set PORT to a free port)`);
    process.exit(1);
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    console.log(`api received ${signal}: finishing in-flight requests`);
    void api.shutdown().then((clean) => {
      if (!clean) console.error('api shutdown deadline passed: remaining connections were cut');
      process.exit(clean ? 0 : 1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMainModule()) runAsMain();
