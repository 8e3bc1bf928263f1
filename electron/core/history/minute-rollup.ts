// Rolls samples older than a day up into one record per minute (min, max, mean), and reads such records back.
import type { Sample } from '../../contract/contract.js';

export interface MinuteRecord {
  /** Epoch ms of the minute's start. */
  at: number;
  /** How many samples the minute held. */
  n: number;
  mean: Sample;
  min: Sample;
  max: Sample;
}

const MINUTE_MS = 60_000;
// A minute's percentiles are rolled up like the rest: its max is the worst interval's p95, its mean only an estimate.
const FIELDS = [
  'hostCpu', 'replicaCpu', 'rps', 'rpsPerReplica', 'sessions', 'queue', 'http5xx', 'responseTimeMs', 'latencyP50Ms', 'latencyP95Ms', 'replicaMemory',
  'desired', 'ready', 'total',
] as const;
type Field = (typeof FIELDS)[number];

function rollMinute(at: number, samples: readonly Sample[]): MinuteRecord {
  const mean = { ...(samples[0] as Sample), at } as Record<Field | 'at', number | null>;
  const min = { ...mean };
  const max = { ...mean };
  for (const field of FIELDS) {
    let sum = 0;
    let count = 0;
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (const sample of samples) {
      const v = sample[field];
      if (v === null || !Number.isFinite(v)) continue;
      sum += v;
      count += 1;
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
    // Counts of replicas stay whole numbers: a replay steps on them.
    const average = count === 0 ? null : sum / count;
    mean[field] = average === null ? null : field === 'desired' || field === 'ready' || field === 'total' ? Math.round(average) : average;
    min[field] = count === 0 ? null : low;
    max[field] = count === 0 ? null : high;
  }
  return { at, n: samples.length, mean: mean as unknown as Sample, min: min as unknown as Sample, max: max as unknown as Sample };
}

/** One record per minute that holds samples, oldest first. */
export function rollUp(samples: readonly Sample[]): MinuteRecord[] {
  const byMinute = new Map<number, Sample[]>();
  for (const sample of samples) {
    const minute = Math.floor(sample.at / MINUTE_MS) * MINUTE_MS;
    const bucket = byMinute.get(minute);
    if (bucket) bucket.push(sample);
    else byMinute.set(minute, [sample]);
  }
  return [...byMinute.entries()].sort(([a], [b]) => a - b).map(([at, bucket]) => rollMinute(at, bucket));
}

/** For charts: the minute as its low and high envelope, half a minute apart. */
export function envelopeSamples(record: MinuteRecord): Sample[] {
  return [{ ...record.min, at: record.at }, { ...record.max, at: record.at + MINUTE_MS / 2 }];
}

/** For the replay: the minute as one sample of its means. */
export function meanSample(record: MinuteRecord): Sample {
  return { ...record.mean, at: record.at };
}
