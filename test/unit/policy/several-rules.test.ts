// Specification of scaling on several rules at once: any rule scales up, all rules must agree to scale down,
// the target policy takes the highest recommendation, tolerance per direction, and reasons that name the rule.
import fc from 'fast-check';
import { PROPERTY_TIMEOUT_MS, propertyRuns } from '../../support/property-seed.js';
import { describe, expect, it } from 'vitest';
import { decide, initialPolicyState, metricValue, type PolicyObservation, type PolicyState } from '../../../electron/core/policy.js';
import type { ScalingRule, Settings } from '../../../electron/contract/settings-schema.js';
import { policySettings, readyReplicas, T0 } from './simulated-clock.js';

const cpuRule: ScalingRule = { metric: 'replica-cpu', scaleUpThreshold: 70, scaleDownThreshold: 30, targetValue: 50 };
const latencyRule: ScalingRule = { metric: 'latency-p95', scaleUpThreshold: 150, scaleDownThreshold: 40, targetValue: 100 };
const memoryRule: ScalingRule = { metric: 'replica-memory', scaleUpThreshold: 80, scaleDownThreshold: 20, targetValue: 60 };

const MIB = 1024 * 1024;

/** `replicas` ready replicas at `cpu` % CPU and `memoryPercent` % of a 128 MB limit, and a p95 of `latencyMs`. */
function observe(cpu: number | null, latencyMs: number | null, replicas = 2, memoryPercent: number | null = 50): PolicyObservation {
  return {
    hostCpu: null,
    rps: null,
    latencyP95Ms: latencyMs,
    replicas: readyReplicas(replicas, cpu).map((r) => ({ ...r, memBytes: memoryPercent === null ? null : (memoryPercent / 100) * 128 * MIB })),
  };
}

function run(settings: Settings, current: number, observations: PolicyObservation[]) {
  let state: PolicyState = initialPolicyState();
  let desired = current;
  const reasons: (string | null)[] = [];
  const counts: number[] = [];
  observations.forEach((observation, i) => {
    const decision = decide({ observation, current: desired, settings, now: T0 + i * 1000, state });
    reasons.push(decision.reason);
    counts.push(decision.desired);
    desired = decision.desired;
    state = decision.state;
  });
  return { reasons, counts };
}

const twoRules = (overrides: Partial<Settings> = {}) =>
  policySettings({ policy: 'threshold', breachSamples: 2, rules: [cpuRule, latencyRule], memoryLimitMb: 128, ...overrides });

describe('threshold policy with several rules', () => {
  it('scales up when one rule stays above its threshold, naming that rule', () => {
    const { counts, reasons } = run(twoRules(), 2, [observe(50, 240), observe(50, 240)]);
    expect(counts).toEqual([2, 3]);
    expect(reasons[1]).toBe('2 -> 3: p95 latency 240 ms > 150 ms for 2 samples');
  });

  it('counts each rule\'s streak on its own: alternating breaches of two rules never reach breachSamples', () => {
    const { counts } = run(twoRules(), 2, [observe(90, 50), observe(50, 240), observe(90, 50), observe(50, 240)]);
    expect(counts).toEqual([2, 2, 2, 2]);
  });

  it('scales down only while every rule is below its down-threshold', () => {
    const oneHigh = run(twoRules(), 3, [observe(10, 100), observe(10, 100), observe(10, 100)]);
    expect(oneHigh.counts).toEqual([3, 3, 3]);
    const allLow = run(twoRules(), 3, [observe(10, 20), observe(10, 20)]);
    expect(allLow.counts).toEqual([3, 2]);
    expect(allLow.reasons[1]).toBe('3 -> 2: replica CPU 10% < 30%, p95 latency 20 ms < 40 ms for 2 samples');
  });

  it('never scales down while a rule cannot be measured', () => {
    const { counts } = run(twoRules(), 3, [observe(10, null), observe(10, null), observe(10, null)]);
    expect(counts).toEqual([3, 3, 3]);
  });

  it('holds a one-sample breach with the rule named in the hold', () => {
    const decision = decide({ observation: observe(50, 240), current: 2, settings: twoRules(), now: T0, state: initialPolicyState() });
    expect(decision.hold).toEqual({ kind: 'breach', direction: 'up', message: 'scale-up: p95 latency 240 ms > 150 ms for 1 of 2 samples' });
    expect(decision.readings.map((r) => r.value)).toEqual([50, 240]);
  });

  it('scales on replica memory as % of the memory limit', () => {
    const settings = twoRules({ rules: [cpuRule, memoryRule] });
    const { reasons } = run(settings, 2, [observe(50, null, 2, 90), observe(50, null, 2, 90)]);
    expect(reasons[1]).toBe('2 -> 3: replica memory 90% > 80% for 2 samples');
  });
});

describe('target policy with several rules', () => {
  const target = (overrides: Partial<Settings> = {}) => twoRules({ policy: 'target', ...overrides });

  it('takes the highest recommendation and names the rule that gave it', () => {
    // CPU asks for ceil(2 x 60 / 50) = 3, latency for ceil(2 x 300 / 100) = 6.
    const decision = decide({ observation: observe(60, 300), current: 2, settings: target(), now: T0, state: initialPolicyState() });
    expect(decision.desired).toBe(6);
    expect(decision.reason).toBe('2 -> 6: target tracking, p95 latency 300 ms vs target 100 ms');
  });

  it('scales down to the highest recommendation of all rules', () => {
    // CPU asks for ceil(4 x 10 / 50) = 1, latency for ceil(4 x 40 / 100) = 2.
    const decision = decide({ observation: observe(10, 40, 4), current: 4, settings: target(), now: T0, state: initialPolicyState() });
    expect(decision.desired).toBe(2);
  });

  it('does not scale down when a rule is missing', () => {
    const decision = decide({ observation: observe(10, null, 4), current: 4, settings: target(), now: T0, state: initialPolicyState() });
    expect(decision.desired).toBe(4);
  });

  it('applies the up and down tolerances separately', () => {
    const settings = target({ rules: [cpuRule], targetToleranceUp: 0.05, targetToleranceDown: 0.3 });
    // 54 / 50 = 1.08: beyond a 5 % up-tolerance.
    expect(decide({ observation: observe(54, null, 2), current: 2, settings, now: T0, state: initialPolicyState() }).desired).toBe(3);
    // 37 / 50 = 0.74: within a 30 % down-tolerance, so it holds and says which tolerance.
    const low = decide({ observation: observe(37, null, 4), current: 4, settings, now: T0, state: initialPolicyState() });
    expect(low.desired).toBe(4);
    expect(low.hold).toMatchObject({ kind: 'tolerance', direction: 'down', message: 'scale-down: replica CPU 37% vs target 50% is within the 30 % tolerance' });
  });
});

describe('the new metrics', () => {
  it('reads replica memory as the mean of ready replicas, % of memoryLimitMb, skipping unread ones', () => {
    const obs: PolicyObservation = {
      hostCpu: null,
      rps: null,
      replicas: [
        { state: 'ready', startedAt: 0, cpuPercent: null, memBytes: 64 * MIB },
        { state: 'ready', startedAt: 0, cpuPercent: null, memBytes: 32 * MIB },
        { state: 'ready', startedAt: 0, cpuPercent: null, memBytes: null },
        { state: 'starting', startedAt: 0, cpuPercent: null, memBytes: 128 * MIB },
      ],
    };
    expect(metricValue(obs, { metric: 'replica-memory', warmupS: 0, memoryLimitMb: 128 }, T0).value).toBeCloseTo(37.5, 9);
  });

  it('reads p95 latency from the observation, and a missing or non-finite one as null', () => {
    const read = (latencyP95Ms: number | null | undefined, rps: number | null = null) =>
      metricValue({ hostCpu: null, rps, replicas: [], latencyP95Ms }, { metric: 'latency-p95', warmupS: 0, memoryLimitMb: 128 }, T0).value;
    expect(read(240)).toBe(240);
    expect(read(null)).toBeNull();
    expect(read(undefined)).toBeNull();
    expect(read(Number.NaN)).toBeNull();
    // No request ended: 0 ms when HAProxy says nothing came in, missing when traffic came but no timings did.
    expect(read(null, 0)).toBe(0);
    expect(read(null, 12)).toBeNull();
  });

  it('lets an idle service scale down on a latency rule, but not one whose timings stopped arriving under traffic', () => {
    const idle = (rps: number | null): PolicyObservation => ({ ...observe(10, null, 3), rps });
    expect(run(twoRules(), 3, [idle(0), idle(0)]).counts).toEqual([3, 2]);
    expect(run(twoRules(), 3, [idle(40), idle(40)]).counts).toEqual([3, 3]);
  });
});

describe('several rules, for any readings', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  const reading = fc.option(fc.double({ min: 0, max: 400, noNaN: true }), { freq: 5 });
  const readings = fc.array(fc.tuple(reading, reading), { minLength: 1, maxLength: 20 });

  it('scale up exactly when some rule has been above its threshold for breachSamples samples in a row', () => {
    fc.assert(fc.property(readings, (seq) => {
      const settings = twoRules({ maxReplicas: 100 });
      const { counts } = run(settings, 2, seq.map(([cpu, latency]) => observe(cpu, latency)));
      const streaks = [0, 0];
      let before = 2;
      seq.forEach(([cpu, latency], i) => {
        [cpu, latency].forEach((value, r) => {
          const rule = (settings.rules[r] as ScalingRule);
          if (value !== null) streaks[r] = value > rule.scaleUpThreshold ? (streaks[r] as number) + 1 : 0;
        });
        const up = [cpu, latency].some((value, r) => value !== null && value > (settings.rules[r] as ScalingRule).scaleUpThreshold && (streaks[r] as number) >= 2);
        if (up) {
          expect(counts[i]).toBe(before + 1);
          streaks.fill(0);
        } else {
          expect(counts[i]).toBeLessThanOrEqual(before);
        }
        before = counts[i] as number;
      });
    }), propertyRuns(2000));
  });

  it('never scale down while any rule reads at or above its down-threshold', () => {
    fc.assert(fc.property(readings, (seq) => {
      const settings = twoRules({ breachSamples: 1 });
      const { counts } = run(settings, 5, seq.map(([cpu, latency]) => observe(cpu, latency)));
      let before = 5;
      seq.forEach(([cpu, latency], i) => {
        const allBelow = cpu !== null && cpu < cpuRule.scaleDownThreshold && latency !== null && latency < latencyRule.scaleDownThreshold;
        if (!allBelow) expect(counts[i]).toBeGreaterThanOrEqual(before);
        before = counts[i] as number;
      });
    }), propertyRuns(2000));
  });

  it('give a target recommendation at least as high as each rule alone would', () => {
    fc.assert(fc.property(fc.double({ min: 1, max: 100, noNaN: true }), fc.double({ min: 1, max: 400, noNaN: true }), fc.integer({ min: 1, max: 8 }), (cpu, latency, current) => {
      const both = policySettings({ policy: 'target', rules: [cpuRule, latencyRule], maxReplicas: 100 });
      const each = [cpuRule, latencyRule].map((rule) => decide({ observation: observe(cpu, latency, current), current, settings: { ...both, rules: [rule] }, now: T0, state: initialPolicyState() }).desired);
      const together = decide({ observation: observe(cpu, latency, current), current, settings: both, now: T0, state: initialPolicyState() }).desired;
      expect(together).toBe(Math.max(...each));
    }), propertyRuns(2000));
  });
});
