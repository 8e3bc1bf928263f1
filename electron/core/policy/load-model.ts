// The load model of the what-if replay: how recorded load spreads over a replica count other than the one that ran.
import type { ScalingRule, Settings } from '../../contract/settings-schema.js';
import { latencyReading } from './metric.js';

/** The figures of one recorded sample the model needs (a subset of the contract's Sample). */
export interface RecordedSample {
  at: number;
  hostCpu: number | null;
  replicaCpu: number | null;
  rps: number | null;
  rpsPerReplica: number | null;
  held?: number | null;
  /** Absent in records from before these metrics were sampled. */
  replicaMemory?: number | null;
  latencyP95Ms?: number | null;
  desired: number;
  ready: number;
}

/**
 * Metrics that follow the record whatever the replayed count: host CPU (the whole machine), p95 latency (the model has
 * no queueing theory to bend it with), and replica memory (mostly each replica's own footprint, not shared work).
 */
export const RECORD_FOLLOWING_METRICS: ReadonlySet<ScalingRule['metric']> = new Set(['host-cpu', 'latency-p95', 'replica-memory']);

/** When actuation cannot be measured from the record (no scale-up in it), a new replica is assumed ready after this. */
export const DEFAULT_ACTUATION_MS = 3000;

/**
 * Replicas as a list of the instants they start to serve, oldest first. A change of the count takes effect at the
 * decision: new replicas serve after the actuation time, and a removed one (the newest, as the controller picks)
 * stops serving at once because draining takes it out of rotation. With warm spares (standbyReplicas) a new replica
 * is a spare taken into rotation: it serves at the decision, already warm, and a new spare is warm an actuation later.
 */
export class FleetModel {
  private readonly readyAt: number[] = [];
  /** Replicas that were warm spares: they count at once, whatever the warm-up. */
  private readonly promoted = new Set<number>();
  /** When each spare is (or will be) warm; spares are all warm at the start of the record. */
  private readonly spareWarmAt: number[];

  constructor(initial: { ready: number; desired: number; at: number }, private readonly actuationMs: number, spares = 0) {
    const ready = Math.min(initial.ready, initial.desired);
    for (let i = 0; i < ready; i++) this.readyAt.push(Number.NEGATIVE_INFINITY);
    for (let i = ready; i < initial.desired; i++) this.readyAt.push(initial.at + actuationMs);
    this.spareWarmAt = Array.from({ length: spares }, () => Number.NEGATIVE_INFINITY);
  }

  get size(): number {
    return this.readyAt.length;
  }

  resize(count: number, at: number): void {
    while (this.readyAt.length < count) {
      const warm = this.spareWarmAt.findIndex((warmAt) => warmAt <= at);
      if (warm === -1) {
        this.readyAt.push(at + this.actuationMs);
        continue;
      }
      this.spareWarmAt[warm] = at + this.actuationMs;
      this.promoted.add(this.readyAt.length);
      this.readyAt.push(at);
    }
    if (this.readyAt.length > count) {
      for (let i = count; i < this.readyAt.length; i++) this.promoted.delete(i);
      this.readyAt.length = count;
    }
  }

  /** Replicas serving at `at`, and past warm-up by `warmupMs` counted from the decision that started them. */
  count(at: number, warmupMs: number): number {
    let n = 0;
    this.readyAt.forEach((readyAt, index) => {
      // A replica's warm-up runs from its start (about the decision), so it counts at max(actuation, warm-up).
      const fresh = readyAt !== Number.NEGATIVE_INFINITY && !this.promoted.has(index);
      const countsAt = fresh ? Math.max(readyAt, readyAt - this.actuationMs + warmupMs) : readyAt;
      if (countsAt <= at) n += 1;
    });
    return n;
  }
}

/** How many replicas the metric is divided by: CPU averages skip warming replicas, request rates do not. */
export function divisorWarmupMs(settings: Pick<Settings, 'warmupS'> & Pick<ScalingRule, 'metric'>): number {
  return settings.metric === 'replica-cpu' ? settings.warmupS * 1000 : 0;
}

const recordedField: Record<ScalingRule['metric'], (sample: RecordedSample) => number | null | undefined> = {
  'replica-cpu': (sample) => sample.replicaCpu,
  'host-cpu': (sample) => sample.hostCpu,
  'rps-per-replica': (sample) => sample.rpsPerReplica,
  'replica-memory': (sample) => sample.replicaMemory,
  'latency-p95': (sample) => latencyReading(sample.latencyP95Ms ?? null, sample.rps),
};

/** The recorded figure of `metric` as the policy reads it (per replica, or for the host or frontend). */
export function recordedMetric(sample: RecordedSample, metric: ScalingRule['metric']): number | null {
  const value = recordedField[metric](sample);
  return value !== null && value !== undefined && Number.isFinite(value) ? value : null;
}

/**
 * The metric a replayed fleet would have shown: the recorded total (per-replica figure x replicas it was measured
 * over) divided by the replayed count. RECORD_FOLLOWING_METRICS follow the record, whatever the count. Null when
 * unmeasurable.
 */
export function replayedMetric(recorded: number | null, metric: ScalingRule['metric'], liveCount: number, replayedCount: number): number | null {
  if (recorded === null) return null;
  if (RECORD_FOLLOWING_METRICS.has(metric)) return recorded;
  if (liveCount === 0 || replayedCount === 0) return null;
  return (recorded * liveCount) / replayedCount;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * The median time from a scale-up decision to the sample where ready reached the new count, or null when the record
 * holds no completed scale-up. A sample's `desired` is the count before that sample's decision, so a change first
 * seen in sample j was decided at sample j - 1.
 */
export function measureActuationMs(samples: readonly RecordedSample[]): number | null {
  const delays: number[] = [];
  for (let j = 1; j < samples.length; j++) {
    const before = samples[j - 1] as RecordedSample;
    const after = samples[j] as RecordedSample;
    if (after.desired <= before.desired) continue;
    for (let k = j; k < samples.length; k++) {
      const probe = samples[k] as RecordedSample;
      if (probe.desired < after.desired) break;
      if (probe.ready >= after.desired) {
        delays.push(probe.at - before.at);
        break;
      }
    }
  }
  return median(delays);
}
