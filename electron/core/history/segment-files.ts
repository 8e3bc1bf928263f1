// The history folder's files: one NDJSON segment per stream and UTC hour, named so that a listing sorts by time.
import { open, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** samples: 1 record per sample; minutes: 1 record per minute (older than a day); events: the event log. */
export type SegmentKind = 'samples' | 'minutes' | 'events';

export const HOUR_MS = 3_600_000;

export interface Segment {
  kind: SegmentKind;
  /** Epoch ms of the UTC hour the segment covers. */
  hour: number;
  file: string;
  bytes: number;
}

const NAME = /^(samples|minutes|events)-(\d{4})(\d{2})(\d{2})T(\d{2})\.ndjson$/;

export const hourOf = (at: number): number => Math.floor(at / HOUR_MS) * HOUR_MS;

export function segmentName(kind: SegmentKind, hour: number): string {
  const iso = new Date(hour).toISOString();
  return `${kind}-${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}.ndjson`;
}

/** The segments in `dir`, oldest hour first; files that are not segments (a rollup's temp file) are left out. */
export async function listSegments(dir: string): Promise<Segment[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const segments: Segment[] = [];
  for (const name of names) {
    const match = NAME.exec(name);
    if (!match) continue;
    const [, kind, y, mo, d, h] = match;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (!info) continue;
    segments.push({ kind: kind as SegmentKind, hour: Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h)), file, bytes: info.size });
  }
  return segments.sort((a, b) => a.hour - b.hour || a.kind.localeCompare(b.kind));
}

/**
 * The records of an NDJSON file. A line that does not parse is skipped: after a kill -9 only the last line can be
 * torn (every append ends with a newline and an fsync), and nothing before it is lost.
 */
export async function readRecords<T>(file: string): Promise<{ records: T[]; skipped: number }> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const records: T[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      skipped += 1;
    }
  }
  return { records, skipped };
}

/**
 * Cuts a torn last line (a write interrupted by a crash) off a segment before appending to it again, so that the
 * next record starts on a line of its own instead of gluing onto the fragment. Answers how many bytes were cut.
 */
export async function cutTornTail(file: string): Promise<number> {
  const handle = await open(file, 'r+').catch(() => null);
  if (!handle) return 0;
  try {
    const { size } = await handle.stat();
    if (size === 0) return 0;
    const window = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(window);
    await handle.read(buffer, 0, window, size - window);
    if (buffer[window - 1] === 0x0a) return 0;
    const lastNewline = buffer.lastIndexOf(0x0a);
    // No newline in the window: the whole window is one torn record (records are far shorter than 64 KiB).
    const keep = lastNewline === -1 ? size - window : size - window + lastNewline + 1;
    await handle.truncate(keep);
    await handle.sync();
    return size - keep;
  } finally {
    await handle.close();
  }
}
