// Feeds the charts: samples go into the ring buffer as they arrive; the charts see a thinned copy at a fixed rate.
import type { Sample } from '../electron/contract.js';
import { downsample, HistoryBuffer } from './history-buffer.js';
import { ValueStore } from './value-store.js';

/** The time windows a person can pick for the charts, in seconds. */
export const TIME_WINDOWS_S = [60, 300, 900, 3600] as const;
export type TimeWindowS = (typeof TIME_WINDOWS_S)[number];

export interface HistoryView {
  samples: Sample[];
  /** The charts' time axis, in ms since the epoch: the window ending at the latest sample. */
  start: number;
  end: number;
}

/** SVG slows down past a few hundred points per line; a 1280 px wide chart cannot show more anyway. */
export const MAX_CHART_POINTS = 600;
export const PUBLISH_INTERVAL_MS = 1000;

/** How often a window is redrawn: every second up to 5 minutes, then about every 720th of the window (5 s for 1 h). */
export function publishEveryMs(windowS: number, intervalMs = PUBLISH_INTERVAL_MS): number {
  return Math.max(intervalMs, Math.round((windowS * 1000) / 720 / intervalMs) * intervalMs);
}

export class HistoryFeed {
  readonly buffer = new HistoryBuffer();
  readonly view: ValueStore<HistoryView>;
  readonly windowS = new ValueStore<TimeWindowS>(300);
  private dirty = false;

  constructor(private readonly now: () => number = Date.now) {
    this.view = new ValueStore(this.compute());
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

  setWindow(windowS: TimeWindowS): void {
    this.windowS.set(windowS);
    this.publish();
  }

  publish(): void {
    this.dirty = false;
    this.view.set(this.compute());
  }

  /**
   * Publishes new samples at a fixed rate however fast they arrive; returns the function that stops it.
   * Redrawing the charts is the dashboard's main cost, so nothing is drawn while the page is hidden, and a long
   * window (where a second moves the lines by less than a pixel) is redrawn less often.
   */
  start(intervalMs = PUBLISH_INTERVAL_MS, isHidden: () => boolean = () => typeof document !== 'undefined' && document.hidden): () => void {
    let lastPublishedAt = 0;
    const timer = setInterval(() => {
      if (!this.dirty || isHidden()) return;
      const now = this.now();
      // Half an interval of slack: timers fire a little early or late, which must not skip a whole beat.
      if (now - lastPublishedAt < publishEveryMs(this.windowS.get(), intervalMs) - intervalMs / 2) return;
      lastPublishedAt = now;
      this.publish();
    }, intervalMs);
    return () => clearInterval(timer);
  }

  private compute(): HistoryView {
    const end = this.buffer.latest()?.at ?? this.now();
    const start = end - this.windowS.get() * 1000;
    const run = this.buffer.since(start);
    return { samples: downsample(run.samples, MAX_CHART_POINTS, run.firstSeq), start, end };
  }
}
