// Writes a history folder the way HistoryStore leaves it, before a control plane starts on it: hourly segments of
// raw samples for the last day, and of minute rollups (rollUp) before it.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Sample } from '../../electron/contract/contract.js';
import { FINE_RESOLUTION_MS } from '../../electron/core/history/history-store.js';
import { rollUp } from '../../electron/core/history/minute-rollup.js';
import { hourOf, segmentName } from '../../electron/core/history/segment-files.js';

export function writeHistoryFolder(dir: string, samples: readonly Sample[], nowMs: number): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const byHour = new Map<number, Sample[]>();
  for (const sample of samples) {
    const hour = hourOf(sample.at);
    byHour.set(hour, [...(byHour.get(hour) ?? []), sample]);
  }
  for (const [hour, inHour] of byHour) {
    // The store rolls up an hour once all of it is older than a day; the hours after stay raw.
    const rolled = hour + 3_600_000 <= nowMs - FINE_RESOLUTION_MS;
    const lines = rolled ? rollUp(inHour).map((record) => JSON.stringify(record)) : inHour.map((sample) => JSON.stringify(sample));
    writeFileSync(path.join(dir, segmentName(rolled ? 'minutes' : 'samples', hour)), `${lines.join('\n')}\n`, { mode: 0o600 });
  }
}
