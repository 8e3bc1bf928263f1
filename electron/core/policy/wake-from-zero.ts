// The what-if replay's stand-in for the live waker: at zero replicas in auto mode, recorded demand wakes one replica.
import type { Settings } from '../../contract/settings-schema.js';
import type { PolicyState } from './state.js';

export interface DemandSample {
  rps: number | null;
  /** Requests HAProxy held at zero replicas; absent in records older than the hold. */
  held?: number | null;
}

/**
 * Live, HAProxy holds the first request at zero and the waker scales 0 -> 1 past every cooldown; a recorded sample
 * with requests coming in (or held) stands for that request. The wake counts as a scale-up, as it does live.
 */
export function wakeFromZero(desired: number, state: PolicyState, sample: DemandSample, settings: Settings, at: number): { desired: number; state: PolicyState } {
  const demand = (sample.rps ?? 0) > 0 || (sample.held ?? 0) > 0;
  if (desired !== 0 || settings.mode !== 'auto' || !demand || settings.maxReplicas < 1) return { desired, state };
  return { desired: 1, state: { ...state, breachDown: 0, lastScaleUpAt: at } };
}
