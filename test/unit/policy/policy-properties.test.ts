// Properties of the policy on random valid settings and load: bounds, cooldowns and no flapping always hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, initialPolicyState } from '../../../electron/core/policy.js';
import { applySettingsPatch, defaultSettings, METRICS, POLICIES, type Settings } from '../../../electron/contract/settings-schema.js';
import { observe, T0 } from './simulated-clock.js';
import { PROPERTY_TIMEOUT_MS, propertyRuns } from '../../support/property-seed.js';

/** Valid settings only: min <= max, scaleDownThreshold < scaleUpThreshold, CPU figures within 100 %. */
const validSettings: fc.Arbitrary<Settings> = fc
  .record({
    minReplicas: fc.integer({ min: 0, max: 10 }),
    span: fc.integer({ min: 0, max: 10 }),
    policy: fc.constantFrom(...POLICIES),
    metric: fc.constantFrom(...METRICS),
    mode: fc.constantFrom('auto' as const, 'auto' as const, 'manual' as const),
    scaleDownThreshold: fc.integer({ min: 0, max: 98 }),
    thresholdGap: fc.integer({ min: 1, max: 60 }),
    targetValue: fc.integer({ min: 1, max: 100 }),
    step: fc.integer({ min: 1, max: 4 }),
    breachSamples: fc.integer({ min: 1, max: 4 }),
    scaleUpCooldownS: fc.integer({ min: 0, max: 20 }),
    scaleDownCooldownS: fc.integer({ min: 0, max: 40 }),
    scaleDownStabilizationS: fc.integer({ min: 0, max: 30 }),
    warmupS: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ span, thresholdGap, ...rest }) =>
    applySettingsPatch(defaultSettings, {
      ...rest,
      maxReplicas: Math.max(1, rest.minReplicas + span),
      scaleUpThreshold: Math.min(100, rest.scaleDownThreshold + thresholdGap),
    }),
  );

/**
 * Load in runs: a reading (or a missing one) held for a few samples, then another, the way real load moves.
 * Runs make streaks and quick reversals common, which is where a cooldown bug shows.
 */
const samples = fc
  .array(
    fc.record({
      value: fc.option(fc.double({ min: 0, max: 150, noNaN: true }), { freq: 6 }),
      repeat: fc.integer({ min: 1, max: 6 }),
      afterMs: fc.integer({ min: 200, max: 4000 }),
    }),
    { minLength: 1, maxLength: 25 },
  )
  .map((runs) => runs.flatMap(({ value, repeat, afterMs }) => Array.from({ length: repeat }, () => ({ value, afterMs }))));

interface Change { at: number; from: number; to: number }

function run(settings: Settings, start: number, samples: { value: number | null; afterMs: number }[]) {
  let now = T0;
  let current = start;
  let state = initialPolicyState();
  const desired: number[] = [];
  const changes: Change[] = [];
  for (const { value, afterMs } of samples) {
    now += afterMs;
    const decision = decide({ observation: observe(value, current), current, settings, now, state });
    if (decision.desired !== current) changes.push({ at: now, from: current, to: decision.desired });
    desired.push(decision.desired);
    current = decision.desired;
    state = decision.state;
  }
  return { desired, changes };
}

/** Enough runs that a policy letting a scale-up follow a scale-down too soon is caught on nearly every run. */
const runs = propertyRuns(1500);

const isClamp = (change: Change, settings: Settings) =>
  change.from < settings.minReplicas || change.from > settings.maxReplicas;

const scenario = fc.record({
  settings: validSettings,
  start: fc.integer({ min: 0, max: 25 }),
  samples,
});

describe('policy properties on random settings and metric sequences', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('never leaves [minReplicas, maxReplicas]', () => {
    fc.assert(
      fc.property(scenario, ({ settings, start, samples }) => {
        const { desired } = run(settings, start, samples);
        expect(desired.every((n) => n >= settings.minReplicas && n <= settings.maxReplicas)).toBe(true);
      }),
      runs,
    );
  });

  it('never changes direction within the cooldown of the later direction', () => {
    fc.assert(
      fc.property(scenario, ({ settings, start, samples }) => {
        const { changes } = run(settings, start, samples);
        changes.slice(1).forEach((change, i) => {
          const previous = changes[i] as Change;
          const up = change.to > change.from;
          if (up === previous.to > previous.from || isClamp(change, settings)) return;
          const cooldownMs = (up ? settings.scaleUpCooldownS : settings.scaleDownCooldownS) * 1000;
          expect(change.at - previous.at).toBeGreaterThanOrEqual(cooldownMs);
        });
      }),
      runs,
    );
  });

  it('never scales twice in the same direction within that direction\'s cooldown', () => {
    fc.assert(
      fc.property(scenario, ({ settings, start, samples }) => {
        const { changes } = run(settings, start, samples);
        changes.slice(1).forEach((change, i) => {
          const previous = changes[i] as Change;
          const up = change.to > change.from;
          if (up !== previous.to > previous.from || isClamp(change, settings)) return;
          const cooldownMs = (up ? settings.scaleUpCooldownS : settings.scaleDownCooldownS) * 1000;
          expect(change.at - previous.at).toBeGreaterThanOrEqual(cooldownMs);
        });
      }),
      runs,
    );
  });

  it('never scales down on a missing metric, and never moves in manual mode except into range', () => {
    fc.assert(
      fc.property(scenario, ({ settings, start, samples }) => {
        let now = T0;
        let current = start;
        let state = initialPolicyState();
        for (const { value, afterMs } of samples) {
          now += afterMs;
          const decision = decide({ observation: observe(value, current), current, settings, now, state });
          const inRange = current >= settings.minReplicas && current <= settings.maxReplicas;
          if (inRange && (value === null || settings.mode === 'manual')) {
            expect(decision.desired).toBeGreaterThanOrEqual(current);
          }
          if (inRange && settings.mode === 'manual') expect(decision.desired).toBe(current);
          if (decision.desired === current) expect(decision.reason).toBeNull();
          else expect(decision.reason).toMatch(new RegExp(`^${current} -> ${decision.desired}: `));
          current = decision.desired;
          state = decision.state;
        }
      }),
      runs,
    );
  });
});
