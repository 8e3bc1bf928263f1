// The policy's memory between samples, and the shape of a rule's proposal before bounds and cooldowns apply.
import type { ScalingRule } from '../../contract/settings-schema.js';

export interface PolicyState {
  /** Per rule (by index in `rules`): consecutive samples above its scaleUpThreshold (threshold policy). */
  breachUp: number[];
  /** Consecutive samples with every rule below its scaleDownThreshold (threshold policy). */
  breachDown: number;
  /** Epoch ms of the last change upwards (including a clamp up to minReplicas), or null. */
  lastScaleUpAt: number | null;
  /** Epoch ms of the last change downwards (including a clamp down to maxReplicas), or null. */
  lastScaleDownAt: number | null;
  /** Target policy: recent recommendations, oldest first, pruned to the scale-down stabilization window. */
  recommendations: { at: number; desired: number }[];
  /** Names of the schedule windows open at the last sample, so the next one knows which opened or closed. */
  openWindows?: string[];
}

export function initialPolicyState(): PolicyState {
  return { breachUp: [], breachDown: 0, lastScaleUpAt: null, lastScaleDownAt: null, recommendations: [], openWindows: [] };
}

export type HoldKind = 'breach' | 'cooldown' | 'tolerance' | 'stabilization' | 'bound' | 'manual' | 'paused';

/**
 * Why the policy did not change the count although the load pointed one way: data for the event log and for
 * "what is it waiting for", e.g. {kind: 'cooldown', direction: 'down', message: 'scale-down cooldown 30 s, 16 s left'}.
 */
export interface PolicyHold {
  kind: HoldKind;
  direction: 'up' | 'down';
  message: string;
}

/** What a rule wants after one sample: a count already inside [min, max], and why in words and numbers. */
export interface Proposal {
  desired: number;
  /** The reason without the "a -> b: " prefix; empty when desired equals current. */
  why: string;
  /** The rule's counters or window after this sample, whether or not the change is allowed. */
  state: PolicyState;
  /** Set when the rule leans one way but does not propose the change (streak too short, bound, tolerance, window). */
  hold?: PolicyHold;
}

export function clampReplicas(n: number, bounds: { minReplicas: number; maxReplicas: number }): number {
  return Math.min(bounds.maxReplicas, Math.max(bounds.minReplicas, n));
}

/** One rule and what its metric read in this sample (null when it could not be measured). */
export interface RuleReading {
  rule: ScalingRule;
  value: number | null;
  label: string;
}
