// The target-tracking strategy (HPA, AWS target tracking): size the fleet so the metric sits at targetValue.
import type { Settings } from '../../settings-schema.js';
import { formatMetric } from './metric.js';
import { clampReplicas, type PolicyState, type Proposal } from './state.js';

/** Ratios within 10 % of the target are noise, not a reason to move replicas (the HPA default). */
export const TARGET_TOLERANCE = 0.1;
/** Absorbs float error so that exactly 10 % off counts as within tolerance and 2 x 1.5 stays 3, not 4. */
const EPSILON = 1e-9;

export function targetProposal(input: {
  metric: number | null;
  label: string;
  current: number;
  settings: Settings;
  state: PolicyState;
  now: number;
}): Proposal {
  const { metric, label, current, settings, now } = input;
  const windowStart = now - settings.scaleDownStabilizationS * 1000;
  // Like the HPA, a recommendation exactly scaleDownStabilizationS old has left the window.
  const recent = input.state.recommendations.filter((r) => r.at > windowStart && r.at <= now);
  const base = { ...input.state, breachUp: 0, breachDown: 0 };
  if (metric === null) return { desired: current, why: '', state: { ...base, recommendations: recent } };

  const ratio = metric / settings.targetValue;
  // With no replica the arithmetic would stay at 0 forever; one replica is the smallest fleet that can carry load.
  const fleet = Math.max(current, 1);
  const raw = Math.ceil((fleet * metric) / settings.targetValue - EPSILON);
  const withinTolerance = Math.abs(ratio - 1) <= TARGET_TOLERANCE + EPSILON;
  const recommended = withinTolerance ? current : clampReplicas(raw, settings);
  const recommendations = [...recent, { at: now, desired: recommended }];
  const state = { ...base, recommendations };
  const reading = `${label} ${formatMetric(metric, settings)} vs target ${formatMetric(settings.targetValue, settings)}`;
  const why = `target tracking, ${reading}`;

  if (recommended > current) return { desired: recommended, why, state };
  if (recommended === current && raw !== current) {
    const direction: 'up' | 'down' = raw > current ? 'up' : 'down';
    const hold = withinTolerance
      ? { kind: 'tolerance' as const, direction, message: `scale-${direction}: ${reading} is within the ${TARGET_TOLERANCE * 100} % tolerance` }
      : { kind: 'bound' as const, direction, message: `scale-${direction}: ${reading}, but ${direction === 'up' ? `maxReplicas is ${settings.maxReplicas}` : `minReplicas is ${settings.minReplicas}`}` };
    return { desired: current, why: '', state, hold };
  }
  // Scale down only as far as the highest recommendation in the window: a brief dip must not drain replicas
  // that the next burst needs again.
  const stabilized = recommendations.reduce((highest, r) => Math.max(highest, r.desired), recommended);
  if (stabilized >= current) {
    if (recommended >= current) return { desired: current, why: '', state };
    const message = `scale-down: ${reading}, held at the highest recommendation of the last ${settings.scaleDownStabilizationS} s (${stabilized})`;
    return { desired: current, why: '', state, hold: { kind: 'stabilization', direction: 'down', message } };
  }
  const held = stabilized > recommended
    ? `, held at the highest recommendation of the last ${settings.scaleDownStabilizationS} s`
    : '';
  return { desired: stabilized, why: `${why}${held}`, state };
}
