// Specification of the policy's bounds (clamping into [min, max]), manual mode and determinism.
import { describe, expect, it } from 'vitest';
import { decide, initialPolicyState } from '../../../electron/core/policy.js';
import { observe, policySettings, simulate, T0 } from './simulated-clock.js';

describe('clamping to [minReplicas, maxReplicas]', () => {
  it.each([
    [{ maxReplicas: 2 }, 3, 2, '3 -> 2: maxReplicas is 2'],
    [{ minReplicas: 3 }, 1, 3, '1 -> 3: minReplicas is 3'],
    [{ minReplicas: 1 }, 0, 1, '0 -> 1: minReplicas is 1'],
  ])('with %o moves %s replicas to %s and says "%s"', (bounds, current, desired, reason) => {
    const decision = decide({ observation: observe(50), current, settings: policySettings(bounds), now: T0, state: initialPolicyState() });
    expect(decision).toMatchObject({ desired, reason });
  });

  it('clamps even within a cooldown, in either mode and policy', () => {
    const settings = { scaleUpCooldownS: 600, scaleDownCooldownS: 600, maxReplicas: 2 };
    const justScaled = { ...initialPolicyState(), lastScaleUpAt: T0 - 1000, lastScaleDownAt: T0 - 1000 };
    for (const mode of ['auto', 'manual'] as const) {
      for (const policy of ['threshold', 'target'] as const) {
        const decision = decide({ observation: observe(99), current: 5, settings: policySettings({ ...settings, mode, policy }), now: T0, state: justScaled });
        expect(decision.desired).toBe(2);
      }
    }
  });

  it('counts a clamp as a scale event for the cooldowns that follow', () => {
    const settings = policySettings({ maxReplicas: 4, scaleDownCooldownS: 10, breachSamples: 1 });
    const { steps } = simulate({ settings, values: [5, 5, 5, 5], current: 6, intervalMs: 5000 });
    // 6 -> 4 is a clamp down at 0 s; the low load may scale down again only from 10 s.
    expect(steps.map((s) => s.desired)).toEqual([4, 4, 3, 3]);
    expect(steps[0]?.reason).toBe('6 -> 4: maxReplicas is 4');
  });

  it('never proposes a count outside the bounds, whatever the load', () => {
    const settings = policySettings({ minReplicas: 2, maxReplicas: 4, breachSamples: 1 });
    const { steps } = simulate({ settings, values: [99, 99, 99, 99, 1, 1, 1, 1, 1], current: 3 });
    expect(Math.max(...steps.map((s) => s.desired))).toBe(4);
    expect(Math.min(...steps.map((s) => s.desired))).toBe(2);
  });
});

describe('manual mode', () => {
  it('keeps the current count whatever the metric says', () => {
    const settings = policySettings({ mode: 'manual', breachSamples: 1 });
    const { steps } = simulate({ settings, values: [99, 99, 1, 1, null], current: 3 });
    expect(steps.map((s) => [s.desired, s.reason])).toEqual(Array.from({ length: 5 }, () => [3, null]));
  });

  it('resets the breach counters and the recommendation window', () => {
    const warm = { ...initialPolicyState(), breachUp: [2], breachDown: 0, recommendations: [{ at: T0 - 1000, desired: 6 }] };
    const decision = decide({ observation: observe(99), current: 3, settings: policySettings({ mode: 'manual' }), now: T0, state: warm });
    expect(decision.state).toMatchObject({ breachUp: [], breachDown: 0, recommendations: [] });
  });

  it('still reports the metric, for the charts', () => {
    const decision = decide({ observation: observe(42), current: 3, settings: policySettings({ mode: 'manual' }), now: T0, state: initialPolicyState() });
    expect(decision.metric).toBe(42);
  });

  it('needs a full new streak after resuming autoscaling', () => {
    const manual = simulate({ settings: policySettings({ mode: 'manual' }), values: [99, 99], current: 2 });
    const resumed = simulate({ settings: policySettings({ mode: 'auto' }), values: [99, 99, 99], current: 2, start: T0 + 2000, state: manual.state });
    expect(resumed.steps.map((s) => s.desired)).toEqual([2, 2, 3]);
  });
});

describe('determinism', () => {
  it('returns the same decision for the same input and does not mutate the given state', () => {
    const state = { ...initialPolicyState(), breachUp: [2], recommendations: [{ at: T0 - 500, desired: 3 }] };
    const frozen = structuredClone(state);
    const input = { observation: observe(90), current: 2, settings: policySettings(), now: T0, state };
    expect(decide(input)).toEqual(decide(input));
    expect(state).toEqual(frozen);
  });
});
