// Raw HTTP and WebSocket calls to a headless server, with full control over token, headers and body, for tests
// that send it what a browser or a hostile local program could.
import http from 'node:http';
import WebSocket from 'ws';
import type { StreamMessage } from '../../electron/contract/contract.js';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Milliseconds from sending the request to the end of the answer. */
  ms: number;
}

export interface CallOptions {
  /** Sent as `Authorization: Bearer`; null sends no token at all. */
  token?: string | null;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One request on a fresh connection; `token` is the default when options.token is left out. */
export function apiCall(port: number, token: string, method: string, pathAndQuery: string, options: CallOptions = {}): Promise<Reply> {
  const sent = options.token === undefined ? token : options.token;
  const headers: Record<string, string> = { ...(sent === null ? {} : { Authorization: `Bearer ${sent}` }), ...options.headers };
  if (options.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(options.body));
  }
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: pathAndQuery, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - start }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${pathAndQuery} got no answer within 10 s`)));
    req.end(options.body);
  });
}

export interface StreamAttempt {
  status: number;
  ws?: WebSocket;
  /** Every message received, from the first: the listener is attached before the handshake completes. */
  messages: StreamMessage[];
}

/** What the WebSocket handshake answered: 101 and an open socket, or the refusal's status. */
export function openStream(port: number, query: string, options: { origin?: string; headers?: Record<string, string> } = {}): Promise<StreamAttempt> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/stream${query}`, { origin: options.origin, headers: options.headers, handshakeTimeout: 10_000 });
    const messages: StreamMessage[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as StreamMessage));
    ws.once('open', () => resolve({ status: 101, ws, messages }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, messages });
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}
