// Samples and events on disk in the data folder: hourly NDJSON segments, appended and fsync'd shortly after each record
// and off the sampling path, rolled up to minutes after a day, kept for a week, bounded in size, read back for any range.
import { mkdir, open, rename, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ControlEvent, Sample } from '../../contract/contract.js';
import { systemClock, type Cancel, type Clock } from '../clock.js';
import { downsample, MAX_HISTORY_POINTS } from './downsample.js';
import { envelopeSamples, meanSample, rollUp, type MinuteRecord } from './minute-rollup.js';
import { cutTornTail, HOUR_MS, hourOf, listSegments, readRecords, segmentName, type Segment, type SegmentKind } from './segment-files.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../private-data-folder.js';

export const FINE_RESOLUTION_MS = 24 * HOUR_MS;
export const RETENTION_MS = 7 * 24 * HOUR_MS;
/** The folder's hard bound: past it the oldest segments go first. A day at 1 s takes about 17 MB (see README). */
export const DEFAULT_MAX_BYTES = 128 * 1024 * 1024;
/**
 * A record reaches the disk this long after it is queued (plus one write and fsync), so a kill -9 loses well under the
 * last second; records queued meanwhile share the write.
 */
const DEFAULT_FLUSH_MS = 250;
/** If the disk refuses writes for long, history drops its oldest queued lines rather than growing memory. */
const MAX_QUEUED_LINES = 20_000;

export interface HistoryStoreOptions {
  dir: string;
  /** Names the hour segments and schedules the flushes. */
  clock?: Pick<Clock, 'now' | 'after'>;
  /** How long after a record is queued it is written and fsync'd; 0 leaves flushing to the caller. */
  flushMs?: number;
  maxBytes?: number;
  log?: (line: string) => void;
}

export class HistoryStore {
  private readonly clock: Pick<Clock, 'now' | 'after'>;
  private readonly flushMs: number;
  private readonly maxBytes: number;
  private readonly queued = new Map<string, string[]>();
  private readonly handles = new Map<string, FileHandle>();
  private readonly checkedTails = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private flushesScheduled = false;
  private pendingFlush: Cancel | null = null;
  private maintainedHour = Number.NaN;
  private failing = false;

  constructor(private readonly options: HistoryStoreOptions) {
    this.clock = options.clock ?? systemClock;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
  }

  get dir(): string {
    return this.options.dir;
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    await this.serialize(() => this.maintain());
    this.flushesScheduled = this.flushMs > 0;
  }

  /** Queues a sample; the write happens on a flush shortly after, never on the caller's path. */
  appendSample(sample: Sample): void {
    this.enqueue('samples', sample.at, JSON.stringify(sample));
  }

  appendEvent(event: ControlEvent): void {
    this.enqueue('events', event.at, JSON.stringify(event));
  }

  /** Writes and fsyncs everything queued; also rolls up and prunes once per hour. */
  flush(): Promise<void> {
    return this.serialize(async () => {
      await this.writeQueued();
      if (hourOf(this.clock.now()) !== this.maintainedHour) await this.maintain();
    });
  }

  async close(): Promise<void> {
    this.flushesScheduled = false;
    this.pendingFlush?.();
    this.pendingFlush = null;
    await this.flush();
    await this.serialize(() => this.closeHandles(new Set()));
  }

  /** Samples in [fromMs, toMs] for the replay: every sample of the last day, one mean per minute before it. */
  async samples(fromMs: number, toMs: number): Promise<Sample[]> {
    return this.readSamples(fromMs, toMs, (record) => [meanSample(record)]);
  }

  /** Samples in [fromMs, toMs] for a chart: at most `maxPoints`, minima and maxima kept. */
  async history(fromMs: number, toMs: number, maxPoints = MAX_HISTORY_POINTS): Promise<Sample[]> {
    return downsample(await this.readSamples(fromMs, toMs, envelopeSamples), maxPoints);
  }

  async events(fromMs: number, toMs: number): Promise<ControlEvent[]> {
    const out: ControlEvent[] = [];
    await this.serialize(async () => {
      for (const segment of this.inRange(await listSegments(this.dir), fromMs, toMs)) {
        if (segment.kind === 'events') out.push(...(await readRecords<ControlEvent>(segment.file)).records);
      }
      out.push(...this.queuedRecords<ControlEvent>('events'));
    });
    return out.filter((e) => e.at >= fromMs && e.at <= toMs);
  }

  private enqueue(kind: SegmentKind, at: number, line: string): void {
    const file = path.join(this.dir, segmentName(kind, hourOf(at)));
    const lines = this.queued.get(file) ?? [];
    lines.push(line);
    if (lines.length > MAX_QUEUED_LINES) lines.splice(0, lines.length - MAX_QUEUED_LINES);
    this.queued.set(file, lines);
    this.scheduleFlush();
  }

  /** One flush per burst of records: the first record queued starts the wait, the others ride along. */
  private scheduleFlush(): void {
    if (!this.flushesScheduled || this.pendingFlush) return;
    this.pendingFlush = this.clock.after(this.flushMs, () => {
      this.pendingFlush = null;
      this.flush().catch((error: unknown) => this.options.log?.(`history: ${(error as Error).message}`));
    });
  }

  private serialize(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async writeQueued(): Promise<void> {
    const batch = [...this.queued.entries()];
    this.queued.clear();
    for (const [file, lines] of batch) {
      try {
        if (!this.checkedTails.has(file)) {
          const cut = await cutTornTail(file);
          if (cut > 0) this.options.log?.(`history: cut a torn last record (${cut} bytes) off ${path.basename(file)}`);
          this.checkedTails.add(file);
        }
        let handle = this.handles.get(file);
        if (!handle) {
          handle = await open(file, 'a', PRIVATE_FILE_MODE);
          this.handles.set(file, handle);
        }
        await handle.write(`${lines.join('\n')}\n`);
        await handle.datasync();
        this.failing = false;
      } catch (error) {
        // History must never stop the control plane: say it once, keep going, try again with the next records.
        if (!this.failing) this.options.log?.(`history: could not write ${path.basename(file)}: ${(error as Error).message}`);
        this.failing = true;
      }
    }
    await this.closeHandles(new Set(batch.map(([file]) => file)));
  }

  private async closeHandles(keep: Set<string>): Promise<void> {
    for (const [file, handle] of this.handles) {
      if (keep.has(file)) continue;
      this.handles.delete(file);
      await handle.close().catch(() => undefined);
    }
  }

  private inRange(segments: Segment[], fromMs: number, toMs: number): Segment[] {
    return segments.filter((s) => s.hour + HOUR_MS > fromMs && s.hour <= toMs);
  }

  /** Records appended but not yet written, so that a read neither waits for nor forces an fsync. */
  private queuedRecords<T>(kind: SegmentKind): T[] {
    const prefix = path.join(this.dir, `${kind}-`);
    const out: T[] = [];
    for (const [file, lines] of this.queued) {
      if (file.startsWith(prefix)) for (const line of lines) out.push(JSON.parse(line) as T);
    }
    return out;
  }

  /** Runs in the write chain: no flush can move records from the queue to a file halfway through the read. */
  private async readSamples(fromMs: number, toMs: number, fromMinute: (record: MinuteRecord) => Sample[]): Promise<Sample[]> {
    const out: Sample[] = [];
    await this.serialize(async () => {
      const segments = this.inRange(await listSegments(this.dir), fromMs, toMs);
      // A crash between a rollup's rename and the raw file's removal leaves both: the raw one is the truth.
      const rawHours = new Set(segments.filter((s) => s.kind === 'samples').map((s) => s.hour));
      for (const segment of segments) {
        if (segment.kind === 'samples') {
          out.push(...(await readRecords<Sample>(segment.file)).records);
        } else if (segment.kind === 'minutes' && !rawHours.has(segment.hour)) {
          for (const record of (await readRecords<MinuteRecord>(segment.file)).records) out.push(...fromMinute(record));
        }
      }
      out.push(...this.queuedRecords<Sample>('samples'));
    });
    return out.filter((s) => s.at >= fromMs && s.at <= toMs).sort((a, b) => a.at - b.at);
  }

  /** Rolls up hours older than a day, drops what is older than the retention, then the oldest past the size bound. */
  private async maintain(): Promise<void> {
    const now = this.clock.now();
    this.maintainedHour = hourOf(now);
    for (const segment of await listSegments(this.dir)) {
      if (segment.kind === 'samples' && segment.hour + HOUR_MS <= now - FINE_RESOLUTION_MS) await this.rollUpSegment(segment);
    }
    let segments = await listSegments(this.dir);
    for (const segment of segments.filter((s) => s.hour + HOUR_MS <= now - RETENTION_MS)) await unlink(segment.file).catch(() => undefined);
    segments = await listSegments(this.dir);
    let total = segments.reduce((sum, s) => sum + s.bytes, 0);
    const current = hourOf(now);
    for (const segment of segments) {
      if (total <= this.maxBytes || segment.hour >= current) break;
      await unlink(segment.file).catch(() => undefined);
      total -= segment.bytes;
      this.options.log?.(`history: removed ${path.basename(segment.file)} to stay within ${Math.round(this.maxBytes / 1048576)} MiB`);
    }
  }

  private async rollUpSegment(segment: Segment): Promise<void> {
    const { records } = await readRecords<Sample>(segment.file);
    const target = path.join(this.dir, segmentName('minutes', segment.hour));
    const temp = `${target}.tmp`;
    await writeFile(temp, rollUp(records).map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''), { mode: PRIVATE_FILE_MODE });
    const handle = await open(temp, 'r+');
    await handle.sync();
    await handle.close();
    // Rename is atomic: a crash leaves the raw segment, the finished rollup, or both (the raw one wins on reads).
    await rename(temp, target);
    await unlink(segment.file);
    this.checkedTails.delete(segment.file);
  }
}
