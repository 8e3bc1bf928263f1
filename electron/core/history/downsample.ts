// Thins a series to what a chart can show: per bucket its lowest and highest values, so peaks and dips survive.
import type { Sample } from '../../contract.js';

/** The contract's chart history is capped here: two points per bucket, about one per pixel of a wide chart. */
export const MAX_HISTORY_POINTS = 2000;

type NumericKey = { [K in keyof Sample]: Sample[K] extends number | null ? K : never }[keyof Sample];

const FIELDS: Exclude<NumericKey, 'at'>[] = [
  'hostCpu', 'replicaCpu', 'rps', 'rpsPerReplica', 'sessions', 'queue', 'http5xx', 'responseTimeMs', 'desired', 'ready', 'total',
];

function envelope(bucket: readonly Sample[], pick: (a: number, b: number) => number, at: number): Sample {
  const out = { ...(bucket[0] as Sample), at };
  const record = out as unknown as Record<string, number | null>;
  for (const field of FIELDS) {
    let value: number | null = null;
    for (const sample of bucket) {
      const v = sample[field];
      if (v !== null && v !== undefined) value = value === null ? v : pick(value, v);
    }
    record[field] = value;
  }
  return out;
}

/**
 * At most `maxPoints` samples, oldest first: the series itself when it fits, else buckets of equal sample count,
 * each drawn as two points: the minimum of every figure at the bucket's first instant, the maximum at its last.
 */
export function downsample(samples: readonly Sample[], maxPoints = MAX_HISTORY_POINTS): Sample[] {
  if (samples.length <= maxPoints) return [...samples];
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = Math.ceil(samples.length / buckets);
  const out: Sample[] = [];
  for (let start = 0; start < samples.length; start += size) {
    const bucket = samples.slice(start, start + size);
    const first = (bucket[0] as Sample).at;
    const last = (bucket[bucket.length - 1] as Sample).at;
    out.push(envelope(bucket, Math.min, first));
    if (last !== first) out.push(envelope(bucket, Math.max, last));
  }
  return out;
}
