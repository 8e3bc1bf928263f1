// The metrics history behind the charts: a bounded ring buffer kept outside React, read in place by the live series.
import type { Sample } from '../electron/contract/contract.js';

export const HISTORY_CAPACITY = 3600;

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

  /** The sample at `index`, counted from the oldest held one (0) to `size - 1`; read in place, without copying. */
  at(index: number): Sample {
    return this.slots[(this.start + index) % this.capacity] as Sample;
  }

  /** The index of the oldest sample taken at or after `at` (`size` when there is none), by binary search. */
  firstIndexAtOrAfter(at: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle).at < at) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** All held samples, oldest first. */
  toArray(): Sample[] {
    return Array.from({ length: this.count }, (_, i) => this.at(i));
  }
}
