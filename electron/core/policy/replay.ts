// The what-if replay: the real decide() over recorded samples with other settings, under the stated load model.
import type { WhatIfPoint, WhatIfResult, WhatIfSummary } from '../../contract/contract.js';
import { decide, describeMetric, initialPolicyState, type PolicyObservation, type PolicyReplica, type PolicyState } from '../policy.js';
import type { ScalingRule, Settings } from '../../contract/settings-schema.js';
import {
  DEFAULT_ACTUATION_MS, FleetModel, RECORD_FOLLOWING_METRICS, divisorWarmupMs, measureActuationMs, recordedMetric, replayedMetric, type RecordedSample,
} from './load-model.js';
import { wakeFromZero } from './wake-from-zero.js';
import { forecastStep, type ForecastFloor } from '../forecast/forecast-scale.js';
import { ScheduleTimeline } from '../schedule/schedule-timeline.js';

export interface ReplayInput {
  /** Recorded samples, oldest first. */
  samples: readonly RecordedSample[];
  /** The settings the record ran under (the current ones: the record does not keep past settings). */
  live: Settings;
  /** The settings to replay: live with the patch applied. */
  settings: Settings;
  /** Overrides the actuation time measured from the record. */
  actuationMs?: number;
  /** The floor the forecast would have put under the count at each moment (`forecast: "scale"`). */
  forecastFloor?: (at: number) => ForecastFloor | null;
}

/**
 * A gap in the record (the app was not running) counts as at most this many sample intervals, and at least a minute,
 * the spacing of the rolled-up records older than a day.
 */
const MAX_GAP_INTERVALS = 3;
/** About 1.5 s of croner on a shared 2-core machine: an edge a minute for 8 windows over most of a day is past it. */
const REPLAY_CRON_READS = 10_000;
const ROLLUP_SPACING_MS = 60_000;

function typicalIntervalMs(samples: readonly RecordedSample[], fallback: number): number {
  if (samples.length < 2) return fallback;
  const gaps: number[] = [];
  for (let i = 1; i < samples.length; i++) gaps.push((samples[i] as RecordedSample).at - (samples[i - 1] as RecordedSample).at);
  gaps.sort((a, b) => a - b);
  return Math.max(1, gaps[Math.floor(gaps.length / 2)] as number);
}

type MetricValues = Partial<Record<ScalingRule['metric'], number | null>>;

/**
 * The observation from which the policy's metricValue() reads each replayed metric: `serving` replicas, of which the
 * first `warm` count in CPU averages (the others started at `now`, inside the warm-up). Replicas come from `pool`,
 * reused across samples: a day of samples would otherwise allocate millions of them.
 */
function observationFor(values: MetricValues, fleet: { serving: number; warm: number }, settings: Settings, now: number, pool: PolicyReplica[]): PolicyObservation {
  const memoryPercent = values['replica-memory'] ?? null;
  const memBytes = memoryPercent === null ? null : (memoryPercent / 100) * settings.memoryLimitMb * 1024 * 1024;
  const cpuPercent = values['replica-cpu'] ?? null;
  while (pool.length < fleet.serving) pool.push({ state: 'ready', startedAt: 0, cpuPercent: null });
  const replicas = pool.slice(0, fleet.serving);
  replicas.forEach((replica, i) => {
    replica.startedAt = i < fleet.warm ? Number.NEGATIVE_INFINITY : now;
    replica.cpuPercent = cpuPercent;
    replica.memBytes = memBytes;
  });
  const rpsPerReplica = values['rps-per-replica'] ?? null;
  return {
    hostCpu: values['host-cpu'] ?? null,
    rps: rpsPerReplica === null ? null : rpsPerReplica * fleet.serving,
    latencyP95Ms: values['latency-p95'] ?? null,
    replicas,
  };
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
  const metrics = [...new Set(settings.rules.map((rule) => rule.metric))];
  const labels = (list: ScalingRule['metric'][]) => list.map((metric) => describeMetric({ metric }).label).join(', ');
  const conserved = metrics.filter((metric) => !RECORD_FOLLOWING_METRICS.has(metric));
  const following = [...new Set<ScalingRule['metric']>([...metrics.filter((metric) => RECORD_FOLLOWING_METRICS.has(metric)), 'host-cpu'])];
  const actuation = `${(actuationMs / 1000).toFixed(1)} s${measured ? ' (measured: median over the scale-ups in the range)' : ' (assumed: no scale-up in the range to measure)'}`;
  const spread = [
    conserved.length > 0 ? `the recorded ${labels(conserved)} total (per-replica value x replicas it was measured over) is conserved and divided by the replayed count` : '',
    `${labels(following)} follow${following.length === 1 ? 's' : ''} the record whatever the replica count`,
  ].filter(Boolean).join('; ');
  const counts = metrics.includes('replica-cpu') ? `, and counts in the CPU average from max(actuation, warmupS ${settings.warmupS} s)` : '';
  const spares = settings.standbyReplicas > 0
    ? `; with ${settings.standbyReplicas} warm spare(s), a new replica is a spare that serves at the decision, and its spare is warm again ${(actuationMs / 1000).toFixed(1)} s later`
    : '';
  return `${spread}; a new replica serves ${actuation} after the decision${counts}${spares}; the record is taken as run under the current settings.`;
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

  const liveFleet = new FleetModel(first, actuationMs, live.standbyReplicas);
  const replayFleet = new FleetModel(first, actuationMs, settings.standbyReplicas);
  const metrics = [...new Set(settings.rules.map((rule) => rule.metric))];
  const firstMetric = (settings.rules[0] ?? settings).metric;
  const cpuWarmup = { live: divisorWarmupMs({ metric: 'replica-cpu', warmupS: live.warmupS }), replay: divisorWarmupMs({ metric: 'replica-cpu', warmupS: settings.warmupS }) };
  const pool: PolicyReplica[] = [];
  const series: WhatIfPoint[] = new Array(samples.length);
  const actual: { at: number; desired: number; metric: number | null }[] = new Array(samples.length);
  let desired = first.desired;
  let state = initialPolicyState();
  // Windows replay from the patched schedules; the timeline reads cron only where a window begins or ends, and gives
  // up (CronBudgetError) on windows that change so often over the range that the replay would hold the process.
  const schedule = new ScheduleTimeline(settings.schedules, REPLAY_CRON_READS);

  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i] as RecordedSample;
    const fleet = { serving: replayFleet.count(sample.at, 0), warm: replayFleet.count(sample.at, cpuWarmup.replay) };
    const liveServing = liveFleet.count(sample.at, 0);
    const liveWarm = liveFleet.count(sample.at, cpuWarmup.live);
    const values: MetricValues = {};
    for (const metric of metrics) {
      const cpu = metric === 'replica-cpu';
      values[metric] = replayedMetric(recordedMetric(sample, metric), metric, cpu ? liveWarm : liveServing, cpu ? fleet.warm : fleet.serving);
    }
    // A forecast scale-out comes before the reactive rules, which then decide with the forecast's floor as minimum.
    const step = forecastStep(input.forecastFloor?.(sample.at) ?? null, settings, desired);
    let decision: { desired: number; state: PolicyState };
    if ('scaleTo' in step) {
      decision = { desired: step.scaleTo, state: { ...state, breachDown: 0, lastScaleUpAt: sample.at } };
    } else {
      const open = schedule.at(sample.at).open;
      const decided = decide({ observation: observationFor(values, fleet, step.settings, sample.at, pool), current: desired, settings: step.settings, now: sample.at, state, open });
      decision = wakeFromZero(decided.desired, decided.state, sample, step.settings, sample.at);
    }
    series[i] = { at: sample.at, desired: decision.desired, ready: fleet.serving, metric: values[firstMetric] ?? null };
    if (decision.desired !== desired) replayFleet.resize(decision.desired, sample.at);
    desired = decision.desired;
    state = decision.state;
    // A sample's desired is the count before its own decision: the live decision at i shows in sample i + 1.
    const liveAfter = samples[i + 1]?.desired ?? sample.desired;
    liveFleet.resize(liveAfter, sample.at);
    actual[i] = { at: sample.at, desired: liveAfter, metric: recordedMetric(sample, firstMetric) };
  }
  return {
    series,
    summary: summarize(series, settings.rules[0].scaleUpThreshold, intervalMs),
    actual: summarize(actual, settings.rules[0].scaleUpThreshold, intervalMs),
    model,
  };
}
