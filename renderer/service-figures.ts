// What the overview says about a service in a word or a number: its state, and its first rule's metric against its thresholds.
import type { Sample, ServiceView, ScalingRule } from '../electron/contract/contract.js';
import { NO_VALUE } from './format.js';

type Metric = ScalingRule['metric'];

/** Where each metric is in a sample. */
const SAMPLE_FIELD: Record<Metric, keyof Sample> = {
  'replica-cpu': 'replicaCpu',
  'host-cpu': 'hostCpu',
  'rps-per-replica': 'rpsPerReplica',
  'replica-memory': 'replicaMemory',
  'latency-p95': 'latencyP95Ms',
};

/** Short names for a table cell; the settings panel has the long ones. */
export const METRIC_SHORT_NAMES: Record<Metric, string> = {
  'replica-cpu': 'Replica CPU',
  'host-cpu': 'Host CPU',
  'rps-per-replica': 'Req/s per replica',
  'replica-memory': 'Replica memory',
  'latency-p95': 'p95 latency',
};

const UNIT: Record<Metric, string> = {
  'replica-cpu': ' %',
  'host-cpu': ' %',
  'rps-per-replica': ' req/s',
  'replica-memory': ' %',
  'latency-p95': ' ms',
};

export interface MetricReading {
  name: string;
  /** The value now with its unit, or a dash when it could not be read. */
  now: string;
  /** The thresholds it is held against ("↓ 30 · ↑ 70 %"), or the target ("target 50 %"). */
  against: string;
  /** Where the value sits: past the scale-up threshold, under the scale-down one, between, or unknown. */
  zone: 'above' | 'below' | 'within' | 'unknown';
}

/** The first rule's metric from the service's latest sample, against that rule's thresholds (or target). */
export function metricReading(view: Pick<ServiceView, 'settings' | 'sample'>): MetricReading {
  const rule = view.settings.rules[0] ?? view.settings;
  const unit = UNIT[rule.metric];
  const raw = view.sample?.[SAMPLE_FIELD[rule.metric]];
  const value = typeof raw === 'number' ? raw : null;
  const round = (n: number) => (Math.abs(n) >= 10 ? Math.round(n) : Math.round(n * 10) / 10);
  const target = view.settings.policy === 'target';
  const against = target ? `target ${rule.targetValue}${unit}` : `↓ ${rule.scaleDownThreshold} · ↑ ${rule.scaleUpThreshold}${unit}`;
  let zone: MetricReading['zone'] = 'unknown';
  if (value !== null && !target) zone = value > rule.scaleUpThreshold ? 'above' : value < rule.scaleDownThreshold ? 'below' : 'within';
  else if (value !== null) zone = value > rule.targetValue ? 'above' : 'within';
  return { name: METRIC_SHORT_NAMES[rule.metric], now: value === null ? NO_VALUE : `${round(value)}${unit}`, against, zone };
}

export type ServiceState = 'idle' | 'scaling' | 'rollout running' | 'rollout paused' | 'failed replicas';

/** One word (or two) for what a service is doing, the most pressing first. */
export function serviceState(view: Pick<ServiceView, 'desired' | 'replicas' | 'rollout'>): ServiceState {
  if (view.rollout.state === 'paused') return 'rollout paused';
  if (view.replicas.some((replica) => replica.state === 'failed')) return 'failed replicas';
  if (view.rollout.state === 'running') return 'rollout running';
  const ready = view.replicas.filter((replica) => replica.state === 'ready').length;
  const moving = view.replicas.some((replica) => replica.state === 'starting' || replica.state === 'draining' || replica.state === 'stopping');
  return moving || ready !== view.desired ? 'scaling' : 'idle';
}

/** Replicas in rotation: those `ready` (a warm spare is not). */
export const readyCount = (view: Pick<ServiceView, 'replicas'>): number => view.replicas.filter((replica) => replica.state === 'ready').length;
