// The scaling policy: a pure, deterministic decision from one observation, the settings and a clock reading.
// The controller owns every effect; this module only answers "how many replicas, and why".
import type { Settings } from '../settings-schema.js';
import { metricValue, type PolicyObservation } from './policy/metric.js';
import { clampReplicas, type PolicyState, type Proposal } from './policy/state.js';
import { targetProposal } from './policy/target-rule.js';
import { thresholdProposal } from './policy/threshold-rule.js';

export { describeMetric, formatMetric, formatNumber, metricValue } from './policy/metric.js';
export type { MetricDescription, PolicyObservation, PolicyReplica } from './policy/metric.js';
export { initialPolicyState } from './policy/state.js';
export type { PolicyState } from './policy/state.js';
export { TARGET_TOLERANCE } from './policy/target-rule.js';

export interface PolicyInput {
  observation: PolicyObservation;
  /** The current desired replica count. */
  current: number;
  settings: Settings;
  /** Epoch ms; the caller's clock, so tests can simulate time. */
  now: number;
  state: PolicyState;
}

export interface PolicyDecision {
  desired: number;
  /** "2 -> 3: replica CPU 86% > 70% for 3 samples"; null when desired equals current. */
  reason: string | null;
  state: PolicyState;
  /** The metric value this decision used, or null when it could not be measured. */
  metric: number | null;
}

type Direction = 'up' | 'down';

function lastChangeAt(state: PolicyState): number | null {
  if (state.lastScaleUpAt === null) return state.lastScaleDownAt;
  if (state.lastScaleDownAt === null) return state.lastScaleUpAt;
  return Math.max(state.lastScaleUpAt, state.lastScaleDownAt);
}

/**
 * Each direction waits its own cooldown after the last change of EITHER direction: a scale-up delays the next
 * scale-down by scaleDownCooldownS, and a scale-down delays the next scale-up by the (usually short)
 * scaleUpCooldownS, so the fleet never flaps within one cooldown.
 */
function coolingDown(direction: Direction, state: PolicyState, settings: Settings, now: number): boolean {
  const last = lastChangeAt(state);
  const cooldownS = direction === 'up' ? settings.scaleUpCooldownS : settings.scaleDownCooldownS;
  return last !== null && now - last < cooldownS * 1000;
}

function recordChange(state: PolicyState, direction: Direction, now: number): PolicyState {
  return direction === 'up'
    ? { ...state, breachUp: 0, lastScaleUpAt: now }
    : { ...state, breachDown: 0, lastScaleDownAt: now };
}

export function decide(input: PolicyInput): PolicyDecision {
  const { observation, current, settings, now, state } = input;
  const { value: metric, label } = metricValue(observation, settings, now);

  // Bounds come before mode and cooldowns: a count outside [min, max] is wrong whatever else holds.
  const bounded = clampReplicas(current, settings);
  if (bounded !== current) {
    const bound = bounded < current ? `maxReplicas is ${settings.maxReplicas}` : `minReplicas is ${settings.minReplicas}`;
    return {
      desired: bounded,
      reason: `${current} -> ${bounded}: ${bound}`,
      state: recordChange(state, bounded > current ? 'up' : 'down', now),
      metric,
    };
  }

  if (settings.mode === 'manual') {
    return { desired: current, reason: null, state: { ...state, breachUp: 0, breachDown: 0, recommendations: [] }, metric };
  }

  const proposal: Proposal = settings.policy === 'threshold'
    ? thresholdProposal({ metric, label, current, settings, state })
    : targetProposal({ metric, label, current, settings, state, now });
  if (proposal.desired === current) return { desired: current, reason: null, state: proposal.state, metric };

  const direction: Direction = proposal.desired > current ? 'up' : 'down';
  // A blocked proposal keeps its streak, so it fires as soon as the cooldown ends if the load is still there.
  if (coolingDown(direction, proposal.state, settings, now)) {
    return { desired: current, reason: null, state: proposal.state, metric };
  }
  return {
    desired: proposal.desired,
    reason: `${current} -> ${proposal.desired}: ${proposal.why}`,
    state: recordChange(proposal.state, direction, now),
    metric,
  };
}
