// The metrics history behind the charts: a bounded ring buffer kept outside React, and display downsampling.
import type { Sample } from '../electron/contract.js';

export const HISTORY_CAPACITY = 3600;

/** A run of consecutive samples and the sequence number of its first one (stable while samples are appended). */
export interface SampleRun {
  samples: Sample[];
  firstSeq: number;
}

export class HistoryBuffer {
  private readonly slots: (Sample | undefined)[];
  private start = 0;
  private count = 0;
  /** How many samples were ever appended; the oldest held sample has sequence number `appended - count`. */
  private appended = 0;

  constructor(readonly capacity: number = HISTORY_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`History capacity must be a whole number above 0, got ${capacity}`);
    this.slots = new Array<Sample | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  latest(): Sample | undefined {
    return this.count === 0 ? undefined : this.slots[(this.start + this.count - 1) % this.capacity];
  }

  /** Appends a sample; one not newer than the latest is ignored (the same sample can arrive by stream and snapshot). */
  push(sample: Sample): boolean {
    const latest = this.latest();
    if (latest && sample.at <= latest.at) return false;
    if (this.count < this.capacity) {
      this.slots[(this.start + this.count) % this.capacity] = sample;
      this.count += 1;
    } else {
      this.slots[this.start] = sample;
      this.start = (this.start + 1) % this.capacity;
    }
    this.appended += 1;
    return true;
  }

  /** Replaces the contents with a history read from the control plane (oldest first). */
  replace(samples: readonly Sample[]): void {
    this.slots.fill(undefined);
    this.start = 0;
    this.count = 0;
    this.appended = 0;
    for (const sample of samples.slice(-this.capacity)) this.push(sample);
  }

  /** All held samples, oldest first. */
  toArray(): Sample[] {
    return this.since(Number.NEGATIVE_INFINITY).samples;
  }

  /** The samples taken at or after `at`, oldest first, with the sequence number of the first. */
  since(at: number): SampleRun {
    let first = this.count;
    while (first > 0 && (this.slots[(this.start + first - 1) % this.capacity] as Sample).at >= at) first -= 1;
    const samples: Sample[] = [];
    for (let i = first; i < this.count; i += 1) samples.push(this.slots[(this.start + i) % this.capacity] as Sample);
    return { samples, firstSeq: this.appended - this.count + first };
  }
}

/**
 * Thins a series to at most `maxPoints` for drawing, always keeping the latest point exact. Points are picked by
 * their sequence number, not their index, so the same points stay picked as new ones arrive and the line does not
 * shimmer from one refresh to the next.
 */
export function downsample<T>(points: readonly T[], maxPoints: number, firstSeq = 0): T[] {
  if (points.length <= maxPoints) return points.slice();
  if (maxPoints < 2) return points.slice(-Math.max(0, maxPoints));
  const stride = Math.ceil(points.length / (maxPoints - 1));
  const kept: T[] = [];
  const last = points.length - 1;
  for (let i = (stride - (firstSeq % stride)) % stride; i < last; i += stride) kept.push(points[i] as T);
  kept.push(points[last] as T);
  return kept;
}
