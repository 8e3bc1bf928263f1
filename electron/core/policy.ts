// The scaling policy: a pure, deterministic decision from one observation, the settings and a clock reading.
// The controller owns every effect; this module only answers "how many replicas, and why".
import type { Settings } from '../contract/settings-schema.js';
import { metricValue, type PolicyObservation } from './policy/metric.js';
import { clampReplicas, type PolicyHold, type PolicyState, type Proposal, type RuleReading } from './policy/state.js';
import { targetProposal } from './policy/target-rule.js';
import { thresholdProposal } from './policy/threshold-rule.js';
import { boundWhy, scheduleNotes, scheduleStep, type ScheduleStep } from './policy/schedule-step.js';
import type { ScheduleWindow } from './schedule/schedule-timeline.js';

export { describeMetric, formatMetric, formatNumber, latencyReading, metricValue } from './policy/metric.js';
export type { MetricDescription, PolicyObservation, PolicyReplica } from './policy/metric.js';
export { initialPolicyState } from './policy/state.js';
export type { HoldKind, PolicyHold, PolicyState, RuleReading } from './policy/state.js';

export interface PolicyInput {
  observation: PolicyObservation;
  /** The current desired replica count. */
  current: number;
  settings: Settings;
  /** Epoch ms; the caller's clock, so tests can simulate time. */
  now: number;
  state: PolicyState;
  /** The schedule windows open at `now` (none when left out). */
  open?: readonly ScheduleWindow[];
}

export interface PolicyDecision {
  desired: number;
  /** "2 -> 3: replica CPU 86% > 70% for 3 samples"; null when desired equals current. */
  reason: string | null;
  state: PolicyState;
  /** The first rule's metric value, or null when it could not be measured (each rule's is in `readings`). */
  metric: number | null;
  /** Every rule's metric value in this sample, in the order of `settings.rules`. */
  readings: RuleReading[];
  /** When the load pointed one way but the count stayed: why ("why not"); null otherwise. */
  hold: PolicyHold | null;
  /** Schedule windows that opened or closed at this sample without being the reason of a change, in words. */
  notes: string[];
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
function cooldownLeftMs(direction: Direction, state: PolicyState, settings: Settings, now: number): number {
  const last = lastChangeAt(state);
  const cooldownS = direction === 'up' ? settings.scaleUpCooldownS : settings.scaleDownCooldownS;
  return last === null ? 0 : Math.max(0, last + cooldownS * 1000 - now);
}

function cooldownHold(direction: Direction, leftMs: number, settings: Settings): PolicyHold {
  const cooldownS = direction === 'up' ? settings.scaleUpCooldownS : settings.scaleDownCooldownS;
  return { kind: 'cooldown', direction, message: `scale-${direction} cooldown ${cooldownS} s, ${Math.ceil(leftMs / 1000)} s left` };
}

/**
 * In manual mode the policy keeps no streaks, so it asks the rule whether this one sample, on its own, would move the
 * count: the person then sees which way autoscaling leans without the event log filling with half-streaks.
 */
function manualHold(propose: (settings: Settings) => Proposal, settings: Settings, current: number): PolicyHold | null {
  const proposal = propose({ ...settings, breachSamples: 1 });
  if (proposal.desired === current) return null;
  const direction: Direction = proposal.desired > current ? 'up' : 'down';
  return { kind: 'manual', direction, message: `manual mode: autoscaling would scale ${current} -> ${proposal.desired} (${proposal.why}); resume autoscaling to let it act` };
}

function recordChange(state: PolicyState, direction: Direction, now: number): PolicyState {
  return direction === 'up'
    ? { ...state, breachUp: [], lastScaleUpAt: now }
    : { ...state, breachDown: 0, lastScaleDownAt: now };
}

const pausedIn = (direction: Direction, settings: Settings): boolean => (direction === 'up' ? settings.pauseScaleOut : settings.pauseScaleIn);

/** A paused direction still says what it would do, as a hold: "would scale in to 2: paused (...)". */
function pauseHold(direction: Direction, desired: number, why: string): PolicyHold {
  return { kind: 'paused', direction, message: `would scale ${direction === 'up' ? 'out' : 'in'} to ${desired}: paused (${why})` };
}

type Decided = Omit<PolicyDecision, 'notes'>;

/**
 * The range comes first (settings' own and the open windows'), then the mode, the rules, cooldowns and pauses.
 * A paused direction never acts, whether the rules or a window ask for it.
 */
function decideWithin(input: PolicyInput, step: ScheduleStep): Decided {
  const { observation, current, now, state } = input;
  const settings = step.settings;
  const { warmupS, memoryLimitMb } = settings;
  const readings = settings.rules.map((rule): RuleReading => ({ rule, ...metricValue(observation, { metric: rule.metric, warmupS, memoryLimitMb }, now) }));
  const metric = readings[0]?.value ?? null;
  const unchanged = (from: PolicyState, hold: PolicyHold | null): Decided => ({ desired: current, reason: null, state: from, metric, readings, hold });
  const change = (desired: number, why: string, from: PolicyState): Decided => {
    const direction: Direction = desired > current ? 'up' : 'down';
    if (pausedIn(direction, settings)) return unchanged(from, pauseHold(direction, desired, why));
    return { desired, reason: `${current} -> ${desired}: ${why}`, state: recordChange(from, direction, now), metric, readings, hold: null };
  };

  // Bounds come before mode and cooldowns: a count outside [min, max] is wrong whatever else holds.
  const bounded = clampReplicas(current, settings);
  if (bounded !== current) return change(bounded, boundWhy(step, current, bounded, now), state);

  const propose = (from: PolicyState, rules: Settings = settings): Proposal => rules.policy === 'threshold'
    ? thresholdProposal({ readings, current, settings: rules, state: from })
    : targetProposal({ readings, current, settings: rules, state: from, now });

  if (settings.mode === 'manual') {
    const resting = { ...state, breachUp: [], breachDown: 0, recommendations: [] };
    return unchanged(resting, manualHold((rules) => propose(resting, rules), settings, current));
  }

  const proposal = propose(state);
  if (proposal.desired === current) return unchanged(proposal.state, proposal.hold ?? null);

  const direction: Direction = proposal.desired > current ? 'up' : 'down';
  // A blocked proposal keeps its streak, so it fires as soon as the cooldown (or pause) ends if the load is still there.
  if (pausedIn(direction, settings)) return unchanged(proposal.state, pauseHold(direction, proposal.desired, proposal.why));
  const leftMs = cooldownLeftMs(direction, proposal.state, settings, now);
  if (leftMs > 0) return unchanged(proposal.state, cooldownHold(direction, leftMs, settings));
  return change(proposal.desired, proposal.why, proposal.state);
}

export function decide(input: PolicyInput): PolicyDecision {
  const step = scheduleStep(input.settings, input.open ?? [], input.state.openWindows ?? []);
  const decided = decideWithin(input, step);
  const outcome = decided.hold?.kind === 'paused'
    ? decided.hold.message
    : `${decided.desired} ${decided.desired === 1 ? 'replica' : 'replicas'} within ${step.range.minReplicas}..${step.range.maxReplicas}`;
  return {
    ...decided,
    state: { ...decided.state, openWindows: step.openNames },
    notes: scheduleNotes(step, decided.reason, outcome, input.now),
  };
}
