// Specification of "why not": when the load points one way but the count stays, the decision says what holds it.
import { describe, expect, it } from 'vitest';
import { decide, initialPolicyState, type PolicyState } from '../../../electron/core/policy.js';
import type { Settings } from '../../../electron/contract/settings-schema.js';
import { observe, policySettings, T0 } from './simulated-clock.js';

function once(settings: Settings, value: number | null, current: number, state: PolicyState = initialPolicyState(), now = T0) {
  return decide({ observation: observe(value, current), current, settings, now, state });
}

describe('holds of the threshold policy', () => {
  it('names the breach count while the streak is shorter than breachSamples', () => {
    const settings = policySettings({ breachSamples: 3 });
    const first = once(settings, 86, 2);
    expect(first.hold).toEqual({ kind: 'breach', direction: 'up', message: 'scale-up: replica CPU 86% > 70% for 1 of 3 samples' });
    const second = once(settings, 10, 2, { ...initialPolicyState(), breachDown: 1 });
    expect(second.hold).toMatchObject({ kind: 'breach', direction: 'down', message: 'scale-down: replica CPU 10% < 30% for 2 of 3 samples' });
  });

  it('names the cooldown and the seconds left when the streak is complete but a change was recent', () => {
    const settings = policySettings({ breachSamples: 1, scaleDownCooldownS: 30 });
    const decision = once(settings, 10, 3, { ...initialPolicyState(), lastScaleUpAt: T0 - 14_000 });
    expect(decision.desired).toBe(3);
    expect(decision.hold).toEqual({ kind: 'cooldown', direction: 'down', message: 'scale-down cooldown 30 s, 16 s left' });
  });

  it('names maxReplicas when the load is high at the top of the range, and minReplicas at the bottom, from the first sample', () => {
    const settings = policySettings({ breachSamples: 3, minReplicas: 2, maxReplicas: 4 });
    expect(once(settings, 95, 4).hold).toMatchObject({ kind: 'bound', direction: 'up', message: expect.stringContaining('maxReplicas is 4') });
    expect(once(settings, 5, 2).hold).toMatchObject({ kind: 'bound', direction: 'down', message: expect.stringContaining('minReplicas is 2') });
  });

  it('has no hold between the thresholds, on a missing reading, or when it scales', () => {
    const settings = policySettings({ breachSamples: 1 });
    expect(once(settings, 50, 2).hold).toBeNull();
    expect(once(settings, null, 2).hold).toBeNull();
    const scaled = once(settings, 95, 2);
    expect(scaled.desired).toBe(3);
    expect(scaled.hold).toBeNull();
  });

  it('in manual mode says which way autoscaling would lean', () => {
    const settings = policySettings({ mode: 'manual', breachSamples: 3, minReplicas: 1 });
    const decision = once(settings, 95, 2);
    expect(decision.desired).toBe(2);
    expect(decision.hold).toMatchObject({ kind: 'manual', direction: 'up', message: expect.stringMatching(/^manual mode: autoscaling would scale 2 -> 3 \(replica CPU 95% > 70%/) });
    expect(once(settings, 50, 2).hold).toBeNull();
    // Already at the bottom of the range: nothing to lean towards, nothing to report.
    expect(once(settings, 5, 1).hold).toBeNull();
  });
});

describe('holds of the target policy', () => {
  it('names the tolerance when the metric is off target by less than 10 %', () => {
    const settings = policySettings({ policy: 'target', targetValue: 50 });
    expect(once(settings, 54, 4).hold).toMatchObject({ kind: 'tolerance', direction: 'up', message: expect.stringContaining('within the 10 % tolerance') });
  });

  it('names the stabilization window when a recent recommendation was higher', () => {
    const settings = policySettings({ policy: 'target', targetValue: 50, scaleDownStabilizationS: 30 });
    const state = { ...initialPolicyState(), recommendations: [{ at: T0 - 5000, desired: 4 }] };
    const decision = once(settings, 20, 4, state);
    expect(decision.desired).toBe(4);
    expect(decision.hold).toMatchObject({ kind: 'stabilization', direction: 'down', message: expect.stringContaining('last 30 s (4)') });
  });

  it('names maxReplicas when the recommendation is cut by the range', () => {
    const settings = policySettings({ policy: 'target', targetValue: 50, maxReplicas: 4 });
    expect(once(settings, 100, 4).hold).toMatchObject({ kind: 'bound', direction: 'up' });
  });
});
