// The request durations of one sample interval, bounded, and their percentiles when the interval closes.

/** Nearest-rank percentile (the value at rank ceil(p/100 x n) of the sorted values); null when there is none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export interface LatencyPercentiles {
  p50Ms: number | null;
  p95Ms: number | null;
  /** Requests that ended in the interval (all of them, also when only a sample was kept). */
  count: number;
}

/**
 * Keeps up to `capacity` durations per interval; past that, reservoir sampling keeps a uniform sample, so a
 * burst of requests costs bounded memory and the percentiles stay unbiased.
 */
export class LatencyWindow {
  private values: number[] = [];
  private seen = 0;

  constructor(private readonly capacity = 20_000, private readonly random: () => number = Math.random) {}

  /** Requests counted in the interval so far. */
  get pending(): number {
    return this.seen;
  }

  add(durationMs: number): void {
    this.seen += 1;
    if (this.values.length < this.capacity) {
      this.values.push(durationMs);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.values[slot] = durationMs;
  }

  /** The interval's percentiles; starts the next interval empty. */
  take(): LatencyPercentiles {
    const sorted = this.values.sort((a, b) => a - b);
    const result = { p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), count: this.seen };
    this.values = [];
    this.seen = 0;
    return result;
  }
}
