// Listens on 127.0.0.1 for the per-request log lines HAProxy sends (haproxy/request-log.ts) and keeps their
// durations for the sampler, all together and per backend; the port is kept in the data folder so an adopted HAProxy keeps reaching it. Any local
// user can send to the port, so only lines that carry HAProxy's request log secret count.
import { createSocket, type Socket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_BACKEND } from '../../../haproxy/config.js';
import { parseRequestLogLine } from '../../../haproxy/request-log.js';
import type { RequestLogSecret } from '../../../haproxy/request-log-secret.js';
import { LatencyWindow, type LatencyPercentiles } from './latency-window.js';

const PORT_FILE = 'request-log.port';

function bind(socket: Socket, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    socket.once('error', onError);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', onError);
      resolve(socket.address().port);
    });
  });
}

export class RequestLogListener {
  private socket: Socket | null = null;
  private readonly window = new LatencyWindow();
  /** Each backend's requests since its own last take; a backend's window is kept by whoever takes it. */
  private readonly backends = new Map<string, LatencyWindow>();
  private boundPort: number | null = null;

  constructor(private readonly dataDir: string, private readonly secret: Pick<RequestLogSecret, 'accepts'>) {}

  /** The UDP port HAProxy sends to; set by start(). */
  get port(): number {
    if (this.boundPort === null) throw new Error('the request log listener is not started');
    return this.boundPort;
  }

  /** Binds the port used last time (a running HAProxy still sends there), or any free one when it is taken. */
  async start(): Promise<number> {
    const file = path.join(this.dataDir, PORT_FILE);
    const previous = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    let socket = createSocket('udp4');
    let port: number;
    try {
      port = await bind(socket, Number.isInteger(previous) && previous > 0 && previous < 65536 ? previous : 0);
    } catch {
      socket.close();
      socket = createSocket('udp4');
      port = await bind(socket, 0);
    }
    // A datagram socket reports send/receive faults as events; unheard, one would end the process.
    socket.on('error', () => undefined);
    socket.on('message', (message) => {
      const timing = parseRequestLogLine(message.toString('utf8'));
      if (!timing || !this.secret.accepts(timing.secret)) return;
      this.window.add(timing.activeMs);
      // A line from a config before the backend was logged is the one service's, which had the default backend.
      this.windowOf(timing.backend ?? DEFAULT_BACKEND).add(timing.activeMs);
    });
    this.socket = socket;
    this.boundPort = port;
    if (port !== previous) await writeFile(file, `${port}\n`, { mode: 0o600 });
    return port;
  }

  /** Requests logged since the last take(). */
  get pending(): number {
    return this.window.pending;
  }

  /**
   * The percentiles of the requests that ended since the last call: with a backend, of that backend's requests since
   * the last take of that backend; without, of every request since the last take without one.
   */
  take(backend?: string): LatencyPercentiles {
    return backend === undefined ? this.window.take() : this.windowOf(backend).take();
  }

  private windowOf(backend: string): LatencyWindow {
    let window = this.backends.get(backend);
    if (window === undefined) {
      window = new LatencyWindow();
      this.backends.set(backend, window);
    }
    return window;
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
