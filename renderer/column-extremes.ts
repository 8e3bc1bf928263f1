// Thins a series to the plot's pixel columns (M4): per column the first, lowest, highest and last point, in the
// order they occurred, so the drawn line is the one all points would draw, from at most four points per pixel.
import type { Sample } from '../electron/contract.js';

/** Where the samples are read from, in place: the ring buffer. */
export interface SampleSource {
  at(index: number): Sample;
}

/** Point storage reused from one frame to the next: x in pixels, y as the raw value; a NaN y marks a gap. */
export class ColumnPoints {
  xs: Float64Array;
  ys: Float64Array;
  length = 0;

  constructor(capacity = 1024) {
    this.xs = new Float64Array(capacity);
    this.ys = new Float64Array(capacity);
  }

  push(x: number, y: number): void {
    if (this.length === this.xs.length) {
      const xs = new Float64Array(this.xs.length * 2);
      const ys = new Float64Array(this.ys.length * 2);
      xs.set(this.xs);
      ys.set(this.ys);
      this.xs = xs;
      this.ys = ys;
    }
    this.xs[this.length] = x;
    this.ys[this.length] = y;
    this.length += 1;
  }
}

/**
 * Fills `out` with the points of samples `from` (inclusive) to `to` (exclusive), thinned to one pixel column each;
 * answers the highest value seen (-Infinity when none), which sets the Y scale of charts that follow their data.
 */
export function columnExtremes(
  source: SampleSource,
  from: number,
  to: number,
  toX: (at: number) => number,
  value: (sample: Sample) => number | null,
  out: ColumnPoints,
): number {
  out.length = 0;
  let highest = Number.NEGATIVE_INFINITY;
  let column = Number.NaN;
  // Indices into the source of the column's first, lowest, highest and last point; -1 when the column is empty.
  let first = -1;
  let low = -1;
  let high = -1;
  let last = -1;
  let lowValue = 0;
  let highValue = 0;
  const emit = (index: number) => {
    const sample = source.at(index);
    out.push(toX(sample.at), value(sample) as number);
  };
  const flush = () => {
    if (first < 0) return;
    // The four indices in time order, each once.
    const a = Math.min(low, high);
    const b = Math.max(low, high);
    emit(first);
    if (a !== first) emit(a);
    if (b !== a && b !== first) emit(b);
    if (last !== b && last !== first) emit(last);
    first = -1;
  };
  for (let i = from; i < to; i += 1) {
    const sample = source.at(i);
    const v = value(sample);
    const x = toX(sample.at);
    if (v === null || !Number.isFinite(v)) {
      flush();
      out.push(x, Number.NaN);
      column = Number.NaN;
      continue;
    }
    if (v > highest) highest = v;
    const here = Math.floor(x);
    if (here !== column || first < 0) {
      flush();
      column = here;
      first = low = high = last = i;
      lowValue = highValue = v;
      continue;
    }
    last = i;
    if (v < lowValue) {
      lowValue = v;
      low = i;
    }
    if (v > highValue) {
      highValue = v;
      high = i;
    }
  }
  flush();
  return highest;
}
