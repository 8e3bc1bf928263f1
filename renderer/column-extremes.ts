// Thins a series to the plot's pixel columns: per column its lowest and highest point in the order they occurred,
// so every peak and dip still shows, from at most two points per pixel (plus the latest sample, drawn exactly).
import type { Sample } from '../electron/contract/contract.js';

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
  // Indices into the source of the column's lowest and highest point; -1 when the column is empty.
  let low = -1;
  let high = -1;
  let lowValue = 0;
  let highValue = 0;
  const emit = (index: number) => {
    const sample = source.at(index);
    out.push(toX(sample.at), value(sample) as number);
  };
  const flush = () => {
    if (low < 0) return;
    emit(Math.min(low, high));
    if (high !== low) emit(Math.max(low, high));
    low = -1;
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
    if (here !== column || low < 0) {
      flush();
      column = here;
      low = high = i;
      lowValue = highValue = v;
    } else if (v < lowValue) {
      lowValue = v;
      low = i;
    } else if (v > highValue) {
      highValue = v;
      high = i;
    }
  }
  // The line ends at the latest value, the one the legend shows.
  const lastExtreme = Math.max(low, high);
  flush();
  if (lastExtreme >= 0 && lastExtreme < to - 1) emit(to - 1);
  return highest;
}
