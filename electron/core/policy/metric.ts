// What the policy scales on: the metric measured from one observation, its label, and how its numbers read in reasons.
import type { ScalingRule, Settings } from '../../contract/settings-schema.js';

export interface PolicyReplica {
  state: 'starting' | 'ready' | 'standby' | 'draining' | 'stopping' | 'failed';
  /** Epoch ms, on the same clock as `now`. */
  startedAt: number;
  /** CPU use as % of the replica's CPU limit; null when its stats could not be read. */
  cpuPercent: number | null;
  /** Memory in use, bytes; null when its stats could not be read. Absent where only CPU is modelled. */
  memBytes?: number | null;
}

export interface PolicyObservation {
  hostCpu: number | null;
  /** Frontend request rate, requests/s. */
  rps: number | null;
  /** 95th percentile of the frontend's per-request time over the last interval, ms (HAProxy's own log timings). */
  latencyP95Ms?: number | null;
  replicas: PolicyReplica[];
}

export interface MetricDescription {
  /** Short name used in reasons and chart legends, e.g. "replica CPU". */
  label: string;
  /** Appended to values: "%" for CPU and memory, " ms" for latency, "" for request rates. */
  unit: string;
  /** One sentence for tooltips and settings screens. */
  description: string;
}

const descriptions: Record<ScalingRule['metric'], MetricDescription> = {
  'replica-cpu': {
    label: 'replica CPU',
    unit: '%',
    description: 'Mean CPU of ready replicas older than the warm-up, as % of each replica\'s CPU limit.',
  },
  'host-cpu': {
    label: 'host CPU',
    unit: '%',
    description: 'CPU use of the whole machine, as % of all its cores.',
  },
  'rps-per-replica': {
    label: 'rps per replica',
    unit: '',
    description: 'HAProxy frontend requests per second divided by the number of ready replicas.',
  },
  'replica-memory': {
    label: 'replica memory',
    unit: '%',
    description: 'Mean memory in use of ready replicas, as % of each replica\'s memory limit.',
  },
  'latency-p95': {
    label: 'p95 latency',
    unit: ' ms',
    description: '95th percentile of the time HAProxy took to answer each request over the last sample interval.',
  },
};

export function describeMetric(settings: Pick<ScalingRule, 'metric'>): MetricDescription {
  return descriptions[settings.metric];
}

/** A finite number, or null: NaN and Infinity from a failed reading count as missing, never as a value. */
function measured(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** The metric value the policy scales on, or null when it cannot be measured (never scale down on null). */
export function metricValue(
  obs: PolicyObservation,
  settings: Pick<Settings, 'warmupS' | 'memoryLimitMb'> & Pick<ScalingRule, 'metric'>,
  now: number,
): { value: number | null; label: string } {
  const { label } = descriptions[settings.metric];
  const ready = obs.replicas.filter((replica) => replica.state === 'ready');
  switch (settings.metric) {
    case 'host-cpu':
      return { value: measured(obs.hostCpu), label };
    case 'rps-per-replica': {
      const rps = measured(obs.rps);
      return { value: rps === null || ready.length === 0 ? null : rps / ready.length, label };
    }
    case 'replica-cpu': {
      // A replica still warming up burns CPU on start-up, not on load: counting it would over-scale.
      const warmupMs = settings.warmupS * 1000;
      const cpus = ready
        .filter((replica) => now - replica.startedAt >= warmupMs)
        .map((replica) => measured(replica.cpuPercent))
        .filter((cpu): cpu is number => cpu !== null);
      return { value: mean(cpus), label };
    }
    case 'replica-memory': {
      const limitBytes = settings.memoryLimitMb * 1024 * 1024;
      const percents = ready
        .map((replica) => measured(replica.memBytes ?? null))
        .filter((bytes): bytes is number => bytes !== null)
        .map((bytes) => (bytes / limitBytes) * 100);
      return { value: mean(percents), label };
    }
    case 'latency-p95':
      return { value: latencyReading(obs.latencyP95Ms ?? null, obs.rps), label };
  }
}

/**
 * The p95 the policy reads: the measured one, or 0 ms when no request ended in the interval and HAProxy reports a
 * request rate of 0 (an idle service is no reason to keep replicas). With traffic but no timings (the log lines not
 * arriving) or no rate at all, it is missing, and a missing metric never scales down.
 */
export function latencyReading(p95Ms: number | null, rps: number | null): number | null {
  const p95 = measured(p95Ms);
  if (p95 !== null) return p95;
  return measured(rps) === 0 ? 0 : null;
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Numbers as a person reads them: 86.3333 -> "86.3", 70 -> "70", 1234.5 -> "1235". */
export function formatNumber(value: number): string {
  const rounded = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return String(rounded === 0 ? 0 : rounded);
}

export function formatMetric(value: number, settings: Pick<ScalingRule, 'metric'>): string {
  return `${formatNumber(value)}${descriptions[settings.metric].unit}`;
}
