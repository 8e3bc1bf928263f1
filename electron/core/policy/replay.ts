// The what-if replay: the real decide() over recorded samples with other settings, under the stated load model.
import type { WhatIfPoint, WhatIfResult, WhatIfSummary } from '../../contract.js';
import { decide, describeMetric, initialPolicyState, type PolicyObservation, type PolicyReplica } from '../policy.js';
import type { Settings } from '../../settings-schema.js';
import {
  DEFAULT_ACTUATION_MS, FleetModel, divisorWarmupMs, measureActuationMs, recordedMetric, replayedMetric, type RecordedSample,
} from './load-model.js';

export interface ReplayInput {
  /** Recorded samples, oldest first. */
  samples: readonly RecordedSample[];
  /** The settings the record ran under (the current ones: the record does not keep past settings). */
  live: Settings;
  /** The settings to replay: live with the patch applied. */
  settings: Settings;
  /** Overrides the actuation time measured from the record. */
  actuationMs?: number;
}

/**
 * A gap in the record (the app was not running) counts as at most this many sample intervals, and at least a minute,
 * the spacing of the rolled-up records older than a day.
 */
const MAX_GAP_INTERVALS = 3;
const ROLLUP_SPACING_MS = 60_000;

function typicalIntervalMs(samples: readonly RecordedSample[], fallback: number): number {
  if (samples.length < 2) return fallback;
  const gaps: number[] = [];
  for (let i = 1; i < samples.length; i++) gaps.push((samples[i] as RecordedSample).at - (samples[i - 1] as RecordedSample).at);
  gaps.sort((a, b) => a - b);
  return Math.max(1, gaps[Math.floor(gaps.length / 2)] as number);
}

/** The observation whose metric, as the policy's metricValue() computes it, is the model's `metric`. */
function observationFor(metric: Settings['metric'], value: number | null, counted: number, pool: PolicyReplica[]): PolicyObservation {
  if (metric === 'host-cpu') return { hostCpu: value, rps: null, replicas: [] };
  while (pool.length < counted) pool.push({ state: 'ready', startedAt: 0, cpuPercent: null });
  const replicas = pool.slice(0, counted);
  if (metric === 'rps-per-replica') return { hostCpu: null, rps: value === null ? null : value * counted, replicas };
  for (const replica of replicas) replica.cpuPercent = value;
  return { hostCpu: null, rps: null, replicas };
}

/** Each point's count holds until the next point (the last one for one interval). */
export function summarize(points: readonly { at: number; desired: number; metric: number | null }[], upThreshold: number, intervalMs: number): WhatIfSummary {
  let replicaMs = 0;
  let aboveMs = 0;
  let scaleEvents = 0;
  let peakReplicas = 0;
  const maxGapMs = Math.max(intervalMs * MAX_GAP_INTERVALS, ROLLUP_SPACING_MS);
  for (let i = 0; i < points.length; i++) {
    const point = points[i] as (typeof points)[number];
    const next = points[i + 1];
    const dt = next ? Math.min(next.at - point.at, maxGapMs) : intervalMs;
    replicaMs += point.desired * dt;
    if (point.metric !== null && point.metric > upThreshold) aboveMs += dt;
    if (i > 0 && point.desired !== (points[i - 1] as (typeof points)[number]).desired) scaleEvents += 1;
    peakReplicas = Math.max(peakReplicas, point.desired);
  }
  return { replicaSeconds: replicaMs / 1000, secondsAboveUp: aboveMs / 1000, scaleEvents, peakReplicas };
}

function describeModel(settings: Settings, actuationMs: number, measured: boolean): string {
  const { label } = describeMetric(settings);
  const actuation = `${(actuationMs / 1000).toFixed(1)} s${measured ? ' (measured: median over the scale-ups in the range)' : ' (assumed: no scale-up in the range to measure)'}`;
  const spread = settings.metric === 'host-cpu'
    ? 'host CPU follows the record whatever the replica count'
    : `the recorded ${label} total (per-replica value x replicas it was measured over) is conserved and divided by the replayed count; host CPU follows the record`;
  const counts = settings.metric === 'replica-cpu' ? `, and counts in the CPU average from max(actuation, warmupS ${settings.warmupS} s)` : '';
  return `${spread}; a new replica serves ${actuation} after the decision${counts}; the record is taken as run under the current settings.`;
}

export function replay(input: ReplayInput): WhatIfResult {
  const { samples, live, settings } = input;
  const measured = input.actuationMs === undefined ? measureActuationMs(samples) : input.actuationMs;
  const actuationMs = measured ?? DEFAULT_ACTUATION_MS;
  const intervalMs = typicalIntervalMs(samples, settings.sampleIntervalMs);
  const model = describeModel(settings, actuationMs, measured !== null);
  const first = samples[0];
  if (!first) {
    const empty = { replicaSeconds: 0, secondsAboveUp: 0, scaleEvents: 0, peakReplicas: 0 };
    return { series: [], summary: empty, actual: { ...empty }, model };
  }

  const liveFleet = new FleetModel(first, actuationMs);
  const replayFleet = new FleetModel(first, actuationMs);
  const liveWarmupMs = divisorWarmupMs({ metric: settings.metric, warmupS: live.warmupS });
  const replayWarmupMs = divisorWarmupMs(settings);
  const pool: PolicyReplica[] = [];
  const series: WhatIfPoint[] = new Array(samples.length);
  const actual: { at: number; desired: number; metric: number | null }[] = new Array(samples.length);
  let desired = first.desired;
  let state = initialPolicyState();

  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i] as RecordedSample;
    const recorded = recordedMetric(sample, settings.metric);
    const counted = replayFleet.count(sample.at, replayWarmupMs);
    const metric = replayedMetric(recorded, settings.metric, liveFleet.count(sample.at, liveWarmupMs), counted);
    const decision = decide({ observation: observationFor(settings.metric, metric, counted, pool), current: desired, settings, now: sample.at, state });
    series[i] = { at: sample.at, desired: decision.desired, ready: replayFleet.count(sample.at, 0), metric };
    if (decision.desired !== desired) replayFleet.resize(decision.desired, sample.at);
    desired = decision.desired;
    state = decision.state;
    // A sample's desired is the count before its own decision: the live decision at i shows in sample i + 1.
    const liveAfter = samples[i + 1]?.desired ?? sample.desired;
    liveFleet.resize(liveAfter, sample.at);
    actual[i] = { at: sample.at, desired: liveAfter, metric: recorded };
  }
  return {
    series,
    summary: summarize(series, settings.scaleUpThreshold, intervalMs),
    actual: summarize(actual, settings.scaleUpThreshold, intervalMs),
    model,
  };
}
