// Feeds the charts: samples go into the ring buffer as they arrive; the charts are told of new ones at a fixed rate.
// Windows longer than the ring buffer are drawn from a downsampled history read from disk (archive-window.ts).
import type { Sample } from '../electron/contract/contract.js';
import { HistoryBuffer } from './history-buffer.js';
import { CLOCK_FRAME_MEASURE, LiveFrame } from './live-frame.js';
import type { SecondClock } from './second-clock.js';
import { ValueStore } from './value-store.js';

/** The time windows a person can pick for the charts, in seconds. */
export const TIME_WINDOWS_S = [60, 300, 900, 3600, 21_600, 86_400, 604_800] as const;
export type TimeWindowS = (typeof TIME_WINDOWS_S)[number];

/** The longest window the live ring buffer holds; longer ones are read from the history on disk. */
export const LIVE_WINDOW_MAX_S = 3600;
export const isArchiveWindow = (windowS: number): boolean => windowS > LIVE_WINDOW_MAX_S;

/** The server downsamples any range to at most 2000 points; room to spare for a range read across a bucket edge. */
export const ARCHIVE_CAPACITY = 4000;

/**
 * What the charts show: the window ending at the latest sample (ms since the epoch), and past it the room a forecast
 * takes ahead of now, if any; the points are read from `buffer`.
 */
export interface HistoryView {
  start: number;
  end: number;
  latest: Sample | undefined;
}

export const PUBLISH_INTERVAL_MS = 1000;

/** How often a window is redrawn: every second up to 5 minutes, then about every 720th of the window (5 s for 1 h). */
export function publishEveryMs(windowS: number, intervalMs = PUBLISH_INTERVAL_MS): number {
  return Math.max(intervalMs, Math.round((windowS * 1000) / 720 / intervalMs) * intervalMs);
}

export class HistoryFeed {
  readonly buffer = new HistoryBuffer();
  /** The downsampled history of a long window, replaced on each read. */
  readonly archive = new HistoryBuffer(ARCHIVE_CAPACITY);
  readonly view: ValueStore<HistoryView>;
  readonly windowS = new ValueStore<TimeWindowS>(300);
  /** Room at the right of the window for what is drawn ahead of now (a forecast), ms. */
  private aheadMs = 0;
  private dirty = false;
  /** The frame the clock's texts are written in, once a second while the feed runs. */
  private readonly clockFrame: LiveFrame;
  /** The page's second clock (uptimes, time left), ticking between the charts' frames. */
  readonly clock: SecondClock;

  /** Every publish redraws the live series in the next animation frame. */
  constructor(
    private readonly now: () => number = Date.now,
    readonly frame: LiveFrame = new LiveFrame(),
    schedule?: (callback: () => void) => void,
  ) {
    this.view = new ValueStore(this.compute());
    this.view.subscribe(frame.request);
    this.clockFrame = new LiveFrame(schedule, CLOCK_FRAME_MEASURE);
    this.clock = { add: (draw) => this.clockFrame.add(draw) };
  }

  add(sample: Sample): void {
    if (this.buffer.push(sample)) this.dirty = true;
  }

  /**
   * Replaces the history (at start and after a reconnect) and shows it at once. Samples streamed while the history
   * was being read are newer than it and are kept.
   */
  load(samples: readonly Sample[]): void {
    const lastAt = samples.at(-1)?.at ?? Number.NEGATIVE_INFINITY;
    const streamed = this.buffer.toArray().filter((sample) => sample.at > lastAt);
    this.buffer.replace([...samples, ...streamed]);
    this.publish();
  }

  /** The samples the charts draw: the live ring buffer, or the history of a long window. */
  get shown(): HistoryBuffer {
    return isArchiveWindow(this.windowS.get()) ? this.archive : this.buffer;
  }

  /** Replaces the long window's history and shows it at once. */
  loadArchive(samples: readonly Sample[]): void {
    this.archive.replace(samples);
    this.publish();
  }

  setWindow(windowS: TimeWindowS): void {
    // A long window's history is read anew: the previous one's would be drawn at the wrong scale until it lands.
    if (windowS !== this.windowS.get() && isArchiveWindow(windowS)) this.archive.replace([]);
    this.windowS.set(windowS);
    this.publish();
  }

  setAhead(ms: number): void {
    if (ms === this.aheadMs) return;
    this.aheadMs = ms;
    this.publish();
  }

  publish(): void {
    this.dirty = false;
    this.view.set(this.compute());
  }

  /**
   * Publishes new samples at a fixed rate however fast they arrive; returns the function that stops it.
   * Nothing is published while the page is hidden (what was missed is drawn once it shows again), and a long window
   * (where a second moves the lines by less than a pixel) is redrawn less often.
   */
  start(
    intervalMs = PUBLISH_INTERVAL_MS,
    isHidden: () => boolean = () => typeof document !== 'undefined' && document.hidden,
    /** Runs on every beat first, so what else the page redraws each second (the overview) shares the charts' frame. */
    alongside: () => void = () => undefined,
  ): () => void {
    let lastPublishedAt = 0;
    let clockTick: ReturnType<typeof setTimeout> | undefined;
    const timer = setInterval(() => {
      alongside();
      // The clock's texts change half a beat after the charts' publish, on the same timer, so the two never share a
      // frame: each frame stays small, rather than two timers drifting into the same one now and then.
      clearTimeout(clockTick);
      clockTick = setTimeout(this.clockFrame.request, intervalMs / 2);
      if (!this.dirty || isHidden()) return;
      const now = this.now();
      // Half an interval of slack: timers fire a little early or late, which must not skip a whole beat.
      if (now - lastPublishedAt < publishEveryMs(this.windowS.get(), intervalMs) - intervalMs / 2) return;
      lastPublishedAt = now;
      this.publish();
    }, intervalMs);
    return () => {
      clearInterval(timer);
      clearTimeout(clockTick);
    };
  }

  private compute(): HistoryView {
    const latest = this.buffer.latest();
    const now = latest?.at ?? this.now();
    return { start: now - this.windowS.get() * 1000, end: now + this.aheadMs, latest };
  }
}
