// Thins a series to what a chart can show: per bucket its lowest and highest values, so peaks and dips survive.
import type { Sample } from '../../contract/contract.js';

/** The contract's chart history is capped here: two points per bucket, about one per pixel of a wide chart. */
export const MAX_HISTORY_POINTS = 2000;

type NumericKey<T> = { [K in keyof T]: T[K] extends number | null ? K : never }[keyof T];

const SAMPLE_FIELDS: NumericKey<Sample>[] = [
  'hostCpu', 'replicaCpu', 'rps', 'rpsPerReplica', 'sessions', 'queue', 'http5xx', 'responseTimeMs', 'latencyP50Ms', 'latencyP95Ms',
  'replicaMemory', 'desired', 'ready', 'total',
];

function envelope<T extends { at: number }>(bucket: readonly T[], fields: readonly NumericKey<T>[], pick: (a: number, b: number) => number, at: number): T {
  const out = { ...(bucket[0] as T), at };
  for (const field of fields) {
    let value: number | null = null;
    for (const point of bucket) {
      const v = point[field] as number | null | undefined;
      if (v !== null && v !== undefined) value = value === null ? v : pick(value, v);
    }
    (out as Record<keyof T, unknown>)[field] = value;
  }
  return out;
}

/**
 * At most `maxPoints` points, oldest first: the series itself when it fits, else buckets of equal point count, each
 * drawn as two points: the minimum of every field at the bucket's first instant, the maximum at its last.
 */
export function downsamplePoints<T extends { at: number }>(points: readonly T[], fields: readonly NumericKey<T>[], maxPoints = MAX_HISTORY_POINTS): T[] {
  if (points.length <= maxPoints) return [...points];
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = Math.ceil(points.length / buckets);
  const out: T[] = [];
  for (let start = 0; start < points.length; start += size) {
    const bucket = points.slice(start, start + size);
    const first = (bucket[0] as T).at;
    const last = (bucket[bucket.length - 1] as T).at;
    out.push(envelope(bucket, fields, Math.min, first));
    if (last !== first) out.push(envelope(bucket, fields, Math.max, last));
  }
  return out;
}

export function downsample(samples: readonly Sample[], maxPoints = MAX_HISTORY_POINTS): Sample[] {
  return downsamplePoints(samples, SAMPLE_FIELDS, maxPoints);
}
