// One dashboard's live WebSocket stream: a snapshot first, then every sample, event and snapshot; dead or slow peers are cut.
import type { WebSocket } from 'ws';
import type { StreamMessage } from '../../contract/contract.js';

export interface StreamSource {
  snapshot: () => Extract<StreamMessage, { type: 'snapshot' }>['snapshot'];
  subscribe(listener: (message: StreamMessage) => void): () => void;
}

export interface StreamLimits {
  /** A peer that has not answered the previous ping by the next one is gone (a sleeping laptop, a cut network). */
  pingIntervalMs: number;
  /** Past this much unsent data the peer is not keeping up; it is closed and reconnects to a fresh snapshot. */
  maxBufferedBytes: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { pingIntervalMs: 20_000, maxBufferedBytes: 1024 * 1024 };

export function attachStream(ws: WebSocket, source: StreamSource, limits: StreamLimits = DEFAULT_STREAM_LIMITS): void {
  let answered = true;
  const ping = setInterval(() => {
    if (!answered) {
      ws.terminate();
      return;
    }
    answered = false;
    ws.ping();
  }, limits.pingIntervalMs);
  ws.on('pong', () => (answered = true));

  const send = (message: StreamMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    // Any message type counts: a client that misses events or snapshots would show a wrong state, so it starts over.
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message));
  };
  send({ type: 'snapshot', snapshot: source.snapshot() });
  const unsubscribe = source.subscribe(send);
  const end = () => {
    clearInterval(ping);
    unsubscribe();
  };
  ws.on('close', end);
  ws.on('error', end);
  // The stream only speaks; anything a client sends is ignored, commands go over HTTP.
  ws.on('message', () => undefined);
}
