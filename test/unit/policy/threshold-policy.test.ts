// Specification of the threshold policy on a simulated clock: breach streaks, resets, missing metrics, cooldowns, reasons.
import { describe, expect, it } from 'vitest';
import { decide, initialPolicyState } from '../../../electron/core/policy.js';
import { changes, observe, policySettings, simulate, T0 } from './simulated-clock.js';

const threshold = (overrides = {}) =>
  policySettings({ policy: 'threshold', metric: 'replica-cpu', scaleUpThreshold: 70, scaleDownThreshold: 30, breachSamples: 3, ...overrides });

describe('threshold policy: breach counting', () => {
  it('scales up by step only on the breachSamples-th consecutive sample above scaleUpThreshold', () => {
    const { steps } = simulate({ settings: threshold(), values: [86, 86, 86], current: 2 });
    expect(steps.map((s) => s.desired)).toEqual([2, 2, 3]);
    expect(steps[2]?.reason).toBe('2 -> 3: replica CPU 86% > 70% for 3 samples');
  });

  it('scales down by step only on the breachSamples-th consecutive sample below scaleDownThreshold', () => {
    const { steps } = simulate({ settings: threshold(), values: [12, 12, 12], current: 3 });
    expect(steps.map((s) => s.desired)).toEqual([3, 3, 2]);
    expect(steps[2]?.reason).toBe('3 -> 2: replica CPU 12% < 30% for 3 samples');
  });

  it('moves by step replicas at a time', () => {
    const { steps } = simulate({ settings: threshold({ step: 3, breachSamples: 1 }), values: [90, 10], current: 2 });
    expect(steps.map((s) => s.desired)).toEqual([5, 2]);
  });

  it('does not step past maxReplicas or minReplicas, and says so', () => {
    const up = simulate({ settings: threshold({ step: 3, breachSamples: 1, maxReplicas: 4 }), values: [90, 90], current: 2 });
    expect(up.steps.map((s) => s.desired)).toEqual([4, 4]);
    expect(up.steps[0]?.reason).toBe('2 -> 4: replica CPU 90% > 70% for 1 sample (maxReplicas is 4)');
    expect(up.steps[1]?.reason).toBeNull();
    const down = simulate({ settings: threshold({ step: 3, breachSamples: 1, minReplicas: 1 }), values: [5], current: 3 });
    expect(down.steps[0]?.reason).toBe('3 -> 1: replica CPU 5% < 30% for 1 sample (minReplicas is 1)');
  });

  it('treats a sample exactly at a threshold as in between', () => {
    const { steps } = simulate({ settings: threshold({ breachSamples: 1 }), values: [70, 30], current: 2 });
    expect(changes(steps)).toEqual([]);
  });
});

describe('threshold policy: counter resets', () => {
  it.each([
    ['a sample in between', [80, 80, 50, 80, 80], [2, 2, 2, 2, 2]],
    ['a sample below', [80, 80, 10, 80, 80], [2, 2, 2, 2, 2]],
    ['nothing; a streak that continues fires', [80, 80, 80, 80, 80], [2, 2, 3, 3, 3]],
  ])('a scale-up streak is broken by %s', (_what, values, desired) => {
    expect(simulate({ settings: threshold(), values, current: 2 }).steps.map((s) => s.desired)).toEqual(desired);
  });

  it.each([
    ['a sample in between', [10, 10, 50, 10, 10]],
    ['a sample above', [10, 10, 80, 10, 10]],
    ['a missing sample', [10, 10, null, 10, 10]],
  ])('a scale-down streak is broken by %s', (_what, values) => {
    expect(changes(simulate({ settings: threshold(), values, current: 3 }).steps)).toEqual([]);
  });

  it('resets the counter that fired, so the next step needs a full new streak', () => {
    const { steps } = simulate({ settings: threshold({ breachSamples: 2 }), values: [90, 90, 90, 90, 90], current: 1 });
    expect(steps.map((s) => s.desired)).toEqual([1, 2, 2, 3, 3]);
  });

  it('keeps the state of counters explicit after each sample', () => {
    const settings = threshold();
    const first = decide({ observation: observe(90), current: 2, settings, now: T0, state: initialPolicyState() });
    expect(first.state).toMatchObject({ breachUp: [1], breachDown: 0 });
    const second = decide({ observation: observe(10), current: 2, settings, now: T0 + 1000, state: first.state });
    expect(second.state).toMatchObject({ breachUp: [0], breachDown: 1 });
  });
});

describe('threshold policy: missing metrics', () => {
  it('never scales down while the metric is missing', () => {
    const { steps } = simulate({ settings: threshold({ breachSamples: 1 }), values: [null, null, null, null], current: 3 });
    expect(steps.map((s) => s.desired)).toEqual([3, 3, 3, 3]);
    expect(steps.every((s) => s.metric === null)).toBe(true);
  });

  it('does not count a missing sample towards a scale-up, nor break the streak', () => {
    const { steps } = simulate({ settings: threshold(), values: [80, null, 80, null, 80], current: 2 });
    expect(steps.map((s) => s.desired)).toEqual([2, 2, 2, 2, 3]);
    expect(steps[4]?.reason).toBe('2 -> 3: replica CPU 80% > 70% for 3 samples');
  });

  it('does not scale on replicas still warming up', () => {
    const settings = threshold({ breachSamples: 1, warmupS: 30 });
    const young = { hostCpu: 10, rps: 10, replicas: [{ state: 'ready' as const, startedAt: T0 - 5000, cpuPercent: 100 }] };
    const decision = decide({ observation: young, current: 1, settings, now: T0, state: initialPolicyState() });
    expect(decision).toMatchObject({ desired: 1, reason: null, metric: null });
  });
});

describe('threshold policy: cooldowns', () => {
  it('does not scale up again within scaleUpCooldownS of the last scale-up', () => {
    const settings = threshold({ breachSamples: 1, scaleUpCooldownS: 5 });
    const { steps } = simulate({ settings, values: [90, 90, 90, 90, 90, 90, 90], current: 1 });
    // Up at t=0; blocked at 1..4 s; up again at exactly 5 s.
    expect(steps.map((s) => s.desired)).toEqual([2, 2, 2, 2, 2, 3, 3]);
  });

  it('does not scale down again within scaleDownCooldownS of the last scale-down', () => {
    const settings = threshold({ breachSamples: 1, scaleDownCooldownS: 3, minReplicas: 0 });
    const { steps } = simulate({ settings, values: [10, 10, 10, 10, 10], current: 5 });
    expect(steps.map((s) => s.desired)).toEqual([4, 4, 4, 3, 3]);
  });

  it('delays the next scale-down by scaleDownCooldownS after a scale-up', () => {
    const settings = threshold({ breachSamples: 1, scaleUpCooldownS: 0, scaleDownCooldownS: 4 });
    const { steps } = simulate({ settings, values: [90, 10, 10, 10, 10, 10], current: 2 });
    expect(steps.map((s) => s.desired)).toEqual([3, 3, 3, 3, 2, 2]);
  });

  it('delays the next scale-up by scaleUpCooldownS after a scale-down', () => {
    const settings = threshold({ breachSamples: 1, scaleUpCooldownS: 3, scaleDownCooldownS: 0 });
    const { steps } = simulate({ settings, values: [10, 90, 90, 90, 90], current: 3 });
    expect(steps.map((s) => s.desired)).toEqual([2, 2, 2, 3, 3]);
  });

  it('fires a blocked scale-up as soon as the cooldown ends if the load is still there', () => {
    const settings = threshold({ breachSamples: 2, scaleUpCooldownS: 10 });
    const { steps } = simulate({ settings, values: [90, 90, 90, 90, 90], current: 1, intervalMs: 4000 });
    // Up at 4 s (2nd sample); the streak keeps counting while blocked at 8 s, and fires at 16 s (>= 4 s + 10 s).
    expect(steps.map((s) => s.desired)).toEqual([1, 2, 2, 2, 3]);
    expect(steps[4]?.reason).toBe('2 -> 3: replica CPU 90% > 70% for 3 samples');
  });
});

describe('threshold policy: reasons', () => {
  it.each([
    [{ metric: 'replica-cpu' }, 86.3333, 2, '2 -> 3: replica CPU 86.3% > 70% for 3 samples'],
    [{ metric: 'host-cpu' }, 12.04, 3, '3 -> 2: host CPU 12% < 30% for 3 samples'],
    [{ metric: 'rps-per-replica', scaleUpThreshold: 100, scaleDownThreshold: 30 }, 20, 4, '4 -> 3: rps per replica 20 < 30 for 3 samples'],
    [{ metric: 'rps-per-replica', scaleUpThreshold: 100, scaleDownThreshold: 30 }, 250.4, 4, '4 -> 5: rps per replica 250 > 100 for 3 samples'],
  ] as const)('reads %o at %s with %s replicas as "%s"', (overrides, value, current, reason) => {
    const { steps } = simulate({ settings: threshold(overrides), values: [value, value, value], current });
    expect(changes(steps)).toEqual([reason]);
  });

  it('gives no reason when nothing changes', () => {
    const { steps } = simulate({ settings: threshold(), values: [50, 80, 20], current: 2 });
    expect(steps.map((s) => s.reason)).toEqual([null, null, null]);
  });
});
