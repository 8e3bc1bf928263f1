// Specification of the target-tracking policy on a simulated clock: arithmetic, tolerance, stabilization, cooldowns.
import { describe, expect, it } from 'vitest';
import { decide, initialPolicyState } from '../../../electron/core/policy.js';
import { changes, policySettings, readyReplicas, simulate, T0 } from './simulated-clock.js';

const target = (overrides = {}) => policySettings({ policy: 'target', metric: 'replica-cpu', targetValue: 50, ...overrides });

describe('target policy: arithmetic', () => {
  it.each([
    [2, 96, 4],
    [2, 75, 3],
    [3, 60, 4],
    [4, 20, 2],
    [10, 5, 1],
    [1, 100, 2],
  ])('with %s replicas at %s%% against a 50%% target it wants %s', (current, value, desired) => {
    const { steps } = simulate({ settings: target(), values: [value], current });
    expect(steps[0]?.desired).toBe(desired);
  });

  it('explains a change as target tracking with both numbers', () => {
    const { steps } = simulate({ settings: target(), values: [96], current: 2 });
    expect(steps[0]?.reason).toBe('2 -> 4: target tracking, replica CPU 96% vs target 50%');
  });

  it('uses the rps unit for rps-per-replica', () => {
    const { steps } = simulate({ settings: target({ metric: 'rps-per-replica', targetValue: 200 }), values: [300], current: 2 });
    expect(steps[0]?.reason).toBe('2 -> 3: target tracking, rps per replica 300 vs target 200');
  });

  it('caps the result at maxReplicas', () => {
    const { steps } = simulate({ settings: target({ maxReplicas: 3 }), values: [100], current: 2 });
    expect(steps[0]?.desired).toBe(3);
  });

  it('treats the fleet as at least one replica when none is ready and a metric is present', () => {
    const settings = target({ metric: 'host-cpu', minReplicas: 0 });
    const decision = decide({
      observation: { hostCpu: 150 / 2, rps: null, replicas: [] },
      current: 0,
      settings,
      now: T0,
      state: initialPolicyState(),
    });
    expect(decision.desired).toBe(2);
    expect(decision.reason).toBe('0 -> 2: target tracking, host CPU 75% vs target 50%');
  });
});

describe('target policy: tolerance', () => {
  it.each([45, 50, 55, 45.000001, 54.99999])('keeps the count when the metric (%s) is within 10 %% of the target', (value) => {
    const { steps } = simulate({ settings: target(), values: [value], current: 4 });
    expect(steps[0]).toMatchObject({ desired: 4, reason: null });
  });

  it.each([[55.1, 5], [44.9, 4]])('acts once the metric (%s) is beyond 10 %% of the target', (value, desired) => {
    const { steps } = simulate({ settings: target(), values: [value], current: 4 });
    expect(steps[0]?.desired).toBe(desired);
  });
});

describe('target policy: scale-down stabilization', () => {
  it('scales down only to the highest recommendation of the last scaleDownStabilizationS seconds', () => {
    const settings = target({ scaleDownStabilizationS: 5 });
    // At 4 replicas: 50% keeps 4; then 25% recommends 2. The 4 from t=0 holds until it leaves the window at 5 s.
    const { steps } = simulate({ settings, values: [50, 25, 25, 25, 25, 25, 25], current: 4 });
    expect(steps.map((s) => s.desired)).toEqual([4, 4, 4, 4, 4, 2, 2]);
    expect(steps[5]?.reason).toBe('4 -> 2: target tracking, replica CPU 25% vs target 50%');
  });

  it('steps down to an intermediate recommendation that is still in the window', () => {
    const settings = target({ scaleDownStabilizationS: 2 });
    // Recommendations at 4 replicas: 50% -> 4, 37.5% -> 3, then 12.5% -> 1. At 2 s the 4 from t=0 has left
    // the window and the 3 from 1 s has not.
    const { steps } = simulate({ settings, values: [50, 37.5, 12.5, 12.5], current: 4 });
    expect(steps.map((s) => s.desired)).toEqual([4, 4, 3, 1]);
    expect(steps[2]?.reason).toBe('4 -> 3: target tracking, replica CPU 12.5% vs target 50%, held at the highest recommendation of the last 2 s');
  });

  it('scales up at once, without waiting for the window', () => {
    const settings = target({ scaleDownStabilizationS: 300 });
    const { steps } = simulate({ settings, values: [50, 10, 100], current: 2 });
    expect(steps.map((s) => s.desired)).toEqual([2, 2, 4]);
  });

  it('prunes recommendations older than the window from the state', () => {
    const settings = target({ scaleDownStabilizationS: 3 });
    const { state } = simulate({ settings, values: [50, 50, 50, 50, 50, 50, 50, 50, 50, 50], current: 2 });
    expect(state.recommendations.map((r) => r.at - T0)).toEqual([7000, 8000, 9000]);
  });
});

describe('target policy: missing metrics', () => {
  it('never scales on a missing metric and records no recommendation for it', () => {
    const settings = target({ scaleDownStabilizationS: 10 });
    const { steps, state } = simulate({ settings, values: [null, null, null], current: 3 });
    expect(steps.map((s) => s.desired)).toEqual([3, 3, 3]);
    expect(state.recommendations).toEqual([]);
  });

  it('does not count replicas still warming up', () => {
    const settings = target({ warmupS: 20 });
    const observation = {
      hostCpu: 90,
      rps: 100,
      replicas: [...readyReplicas(2, 50), { state: 'ready' as const, startedAt: T0 - 1000, cpuPercent: 100 }],
    };
    const decision = decide({ observation, current: 3, settings, now: T0, state: initialPolicyState() });
    expect(decision).toMatchObject({ desired: 3, reason: null, metric: 50 });
  });
});

describe('target policy: cooldowns', () => {
  it('does not scale up again within scaleUpCooldownS, then catches up in one step', () => {
    const settings = target({ scaleUpCooldownS: 3 });
    const { steps } = simulate({ settings, values: [100, 100, 100, 100], current: 1 });
    // The simulated fleet follows the desired count, so load per replica stays at 100%.
    expect(steps.map((s) => s.desired)).toEqual([2, 2, 2, 4]);
    expect(changes(steps)).toHaveLength(2);
  });

  it('delays a scale-down by scaleDownCooldownS after a scale-up', () => {
    const settings = target({ scaleDownCooldownS: 3 });
    const { steps } = simulate({ settings, values: [100, 10, 10, 10, 10], current: 2 });
    expect(steps.map((s) => s.desired)).toEqual([4, 4, 4, 1, 1]);
  });
});
