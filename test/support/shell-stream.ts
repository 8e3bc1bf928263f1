// Records what a running headless shell publishes on its WebSocket stream: every sample and event, as it happens.
import WebSocket from 'ws';
import type { ControlEvent, Sample, StreamMessage } from '../../electron/contract/contract.js';
import { SHELL_TOKEN, type Shell } from './headless-process.js';

export interface StreamRecord {
  samples: Sample[];
  events: ControlEvent[];
  close: () => void;
}

/** Opens the stream and resolves once it is open; records until closed or until the shell goes away. */
export function recordStream(shell: Shell): Promise<StreamRecord> {
  const ws = new WebSocket(`${shell.api.replace(/^http/, 'ws')}/api/stream?token=${SHELL_TOKEN}`, { handshakeTimeout: 10_000 });
  const record: StreamRecord = { samples: [], events: [], close: () => ws.terminate() };
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as StreamMessage;
    if (message.type === 'sample') record.samples.push(message.sample);
    else if (message.type === 'event') record.events.push(message.event);
  });
  // A killed shell resets the connection; the record keeps what arrived.
  ws.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(record));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`the stream answered ${res.statusCode}`)));
  });
}
