// The target-tracking strategy (HPA, AWS target tracking): size the fleet so each rule's metric sits at its
// targetValue; with several rules the highest recommendation wins, as in the HPA.
import type { Settings } from '../../contract/settings-schema.js';
import { formatMetric } from './metric.js';
import { clampReplicas, type PolicyHold, type PolicyState, type Proposal, type RuleReading } from './state.js';

/** Absorbs float error so that exactly 10 % off counts as within tolerance and 2 x 1.5 stays 3, not 4. */
const EPSILON = 1e-9;

interface Recommendation {
  reading: RuleReading & { value: number };
  /** What the arithmetic alone asks for, before tolerance and bounds. */
  raw: number;
  withinTolerance: boolean;
  desired: number;
}

const percent = (fraction: number): string => `${Math.round(fraction * 1000) / 10} %`;

function recommend(reading: RuleReading & { value: number }, current: number, settings: Settings): Recommendation {
  const ratio = reading.value / reading.rule.targetValue;
  // With no replica the arithmetic would stay at 0 forever; one replica is the smallest fleet that can carry load.
  const fleet = Math.max(current, 1);
  const raw = Math.ceil((fleet * reading.value) / reading.rule.targetValue - EPSILON);
  // Tolerance per direction (Kubernetes 1.33): a wider band below the target keeps replicas through a short lull.
  const withinTolerance = ratio <= 1 + settings.targetToleranceUp + EPSILON && ratio >= 1 - settings.targetToleranceDown - EPSILON;
  return { reading, raw, withinTolerance, desired: withinTolerance ? current : clampReplicas(raw, settings) };
}

function describe({ reading }: Recommendation): string {
  return `${reading.label} ${formatMetric(reading.value, reading.rule)} vs target ${formatMetric(reading.rule.targetValue, reading.rule)}`;
}

function leanHold(leader: Recommendation, current: number, settings: Settings): PolicyHold {
  const direction: 'up' | 'down' = leader.raw > current ? 'up' : 'down';
  if (leader.withinTolerance) {
    const tolerance = direction === 'up' ? settings.targetToleranceUp : settings.targetToleranceDown;
    return { kind: 'tolerance', direction, message: `scale-${direction}: ${describe(leader)} is within the ${percent(tolerance)} tolerance` };
  }
  const bound = direction === 'up' ? `maxReplicas is ${settings.maxReplicas}` : `minReplicas is ${settings.minReplicas}`;
  return { kind: 'bound', direction, message: `scale-${direction}: ${describe(leader)}, but ${bound}` };
}

export function targetProposal(input: {
  readings: RuleReading[];
  current: number;
  settings: Settings;
  state: PolicyState;
  now: number;
}): Proposal {
  const { readings, current, settings, now } = input;
  const windowStart = now - settings.scaleDownStabilizationS * 1000;
  // Like the HPA, a recommendation exactly scaleDownStabilizationS old has left the window.
  const recent = input.state.recommendations.filter((r) => r.at > windowStart && r.at <= now);
  const base = { ...input.state, breachUp: [], breachDown: 0 };
  const measured = readings.filter((r): r is RuleReading & { value: number } => r.value !== null);
  if (measured.length === 0) return { desired: current, why: '', state: { ...base, recommendations: recent } };

  // The highest recommendation wins; among equals the one leaning furthest from the current count speaks.
  const leader = measured
    .map((reading) => recommend(reading, current, settings))
    .reduce((best, next) => (next.desired > best.desired || (next.desired === best.desired && Math.abs(next.raw - current) > Math.abs(best.raw - current)) ? next : best));
  // A rule that could not be measured might be the one that needs the replicas: missing metrics never scale down.
  const recommended = measured.length < readings.length ? Math.max(leader.desired, current) : leader.desired;
  const recommendations = [...recent, { at: now, desired: recommended }];
  const state = { ...base, recommendations };
  const why = `target tracking, ${describe(leader)}`;

  if (recommended > current) return { desired: recommended, why, state };
  if (recommended === current && leader.raw !== current) return { desired: current, why: '', state, hold: leanHold(leader, current, settings) };
  // Scale down only as far as the highest recommendation in the window: a brief dip must not drain replicas
  // that the next burst needs again.
  const stabilized = recommendations.reduce((highest, r) => Math.max(highest, r.desired), recommended);
  if (stabilized >= current) {
    if (recommended >= current) return { desired: current, why: '', state };
    const message = `scale-down: ${describe(leader)}, held at the highest recommendation of the last ${settings.scaleDownStabilizationS} s (${stabilized})`;
    return { desired: current, why: '', state, hold: { kind: 'stabilization', direction: 'down', message } };
  }
  const held = stabilized > recommended
    ? `, held at the highest recommendation of the last ${settings.scaleDownStabilizationS} s`
    : '';
  return { desired: stabilized, why: `${why}${held}`, state };
}
