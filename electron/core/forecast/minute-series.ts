// The load a forecast learns from: one value per minute of total work (per-replica figure x replicas), with the
// prefix sums that let a forecast smooth any window of it in constant time.
import type { ScalingRule } from '../../contract/settings-schema.js';

export const MINUTE_MS = 60_000;

/** What a forecast can be made of: the frontend's request rate, and replica CPU as the sum over replicas. */
export type LoadKind = 'rps' | 'cpu';

/** The figures of a sample a load is read from (raw samples and rolled-up minute means alike). */
export interface LoadSample {
  at: number;
  rps: number | null;
  replicaCpu: number | null;
  ready: number;
}

/**
 * The load kind a rule's metric is total work of. Host CPU, memory and latency do not shrink as replicas are added
 * (the replay's load model says the same), so no replica count follows from forecasting them.
 */
export function loadKindOf(metric: ScalingRule['metric']): LoadKind | null {
  if (metric === 'rps-per-replica') return 'rps';
  if (metric === 'replica-cpu') return 'cpu';
  return null;
}

/** A sample's total work of one kind, or null when it was not measured. */
export function totalWork(sample: LoadSample, kind: LoadKind): number | null {
  if (kind === 'rps') return sample.rps !== null && Number.isFinite(sample.rps) ? sample.rps : null;
  if (sample.replicaCpu === null || !Number.isFinite(sample.replicaCpu)) return null;
  return sample.replicaCpu * sample.ready;
}

export const minuteOf = (at: number): number => Math.floor(at / MINUTE_MS);

/**
 * Minutes [firstMinute, firstMinute + values.length) as epoch minutes; NaN where nothing was recorded. A forecast
 * made "at index n" reads only indices below n, so one series serves every moment of a replay.
 */
export class MinuteSeries {
  /** sums[i] and counts[i] cover the finite values of indices [0, i). */
  private readonly sums: Float64Array;
  private readonly counts: Uint32Array;

  constructor(readonly firstMinute: number, readonly values: Float64Array) {
    this.sums = new Float64Array(values.length + 1);
    this.counts = new Uint32Array(values.length + 1);
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as number;
      const finite = Number.isFinite(value);
      this.sums[i + 1] = (this.sums[i] as number) + (finite ? value : 0);
      this.counts[i + 1] = (this.counts[i] as number) + (finite ? 1 : 0);
    }
  }

  get length(): number {
    return this.values.length;
  }

  /** The mean of the finite values in [from, to), or NaN when there is none. */
  mean(from: number, to: number): number {
    const a = Math.max(0, from);
    const b = Math.min(this.values.length, to);
    if (b <= a) return Number.NaN;
    const count = (this.counts[b] as number) - (this.counts[a] as number);
    return count === 0 ? Number.NaN : ((this.sums[b] as number) - (this.sums[a] as number)) / count;
  }

  /** Index of the first minute holding a value, or -1. */
  firstRecorded(): number {
    return this.values.findIndex((value) => Number.isFinite(value));
  }

  static fromSamples(samples: readonly LoadSample[], kind: LoadKind, firstMinute: number, endMinute: number): MinuteSeries {
    const length = Math.max(0, endMinute - firstMinute);
    const sums = new Float64Array(length);
    const counts = new Uint32Array(length);
    for (const sample of samples) {
      const index = minuteOf(sample.at) - firstMinute;
      if (index < 0 || index >= length) continue;
      const work = totalWork(sample, kind);
      if (work === null) continue;
      sums[index] = (sums[index] as number) + work;
      counts[index] = (counts[index] as number) + 1;
    }
    const values = new Float64Array(length);
    for (let i = 0; i < length; i++) values[i] = counts[i] === 0 ? Number.NaN : (sums[i] as number) / (counts[i] as number);
    return new MinuteSeries(firstMinute, values);
  }
}
