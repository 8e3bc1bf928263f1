// Properties of the what-if replay on random recorded load and random valid patches: range, cooldowns, load model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replay } from '../../../electron/core/policy/replay.js';
import { defaultSettings, parseSettings, POLICIES, type Settings } from '../../../electron/contract/settings-schema.js';
import { recordLiveRun } from './recorded-run.js';

const live: Settings = { ...defaultSettings };

/** A recorded run: load in levels of random height and length, driven through the live policy. */
const recordedRun = fc
  .array(fc.record({ level: fc.integer({ min: 0, max: 700 }), seconds: fc.integer({ min: 5, max: 90 }) }), { minLength: 1, maxLength: 8 })
  .chain((levels) => fc.record({ levels: fc.constant(levels), initial: fc.integer({ min: 1, max: 6 }) }))
  .map(({ levels, initial }) => {
    const ends = levels.reduce<number[]>((acc, l) => [...acc, (acc.at(-1) ?? 0) + l.seconds], []);
    const load = (second: number) => levels[ends.findIndex((end) => second < end)]?.level ?? 0;
    return recordLiveRun({ settings: live, load, seconds: ends.at(-1) ?? 1, initial }).samples;
  });

const patch = fc
  .record({
    policy: fc.constantFrom(...POLICIES),
    minReplicas: fc.integer({ min: 0, max: 5 }),
    span: fc.integer({ min: 0, max: 8 }),
    scaleDownThreshold: fc.integer({ min: 0, max: 80 }),
    gap: fc.integer({ min: 1, max: 60 }),
    targetValue: fc.integer({ min: 10, max: 100 }),
    breachSamples: fc.integer({ min: 1, max: 5 }),
    step: fc.integer({ min: 1, max: 3 }),
    scaleUpCooldownS: fc.integer({ min: 0, max: 30 }),
    scaleDownCooldownS: fc.integer({ min: 0, max: 60 }),
    warmupS: fc.integer({ min: 0, max: 10 }),
  })
  .map(({ span, gap, ...rest }) => parseSettings({
    ...live, ...rest, maxReplicas: Math.max(1, rest.minReplicas + span), scaleUpThreshold: Math.min(100, rest.scaleDownThreshold + gap),
  }));

describe('the replay, for any recorded load and any valid patch', () => {
  it('keeps every replayed count within [minReplicas, maxReplicas]', () => {
    fc.assert(fc.property(recordedRun, patch, (samples, settings) => {
      for (const point of replay({ samples, live, settings }).series) {
        expect(point.desired).toBeGreaterThanOrEqual(settings.minReplicas);
        expect(point.desired).toBeLessThanOrEqual(settings.maxReplicas);
      }
    }), { numRuns: 60 });
  });

  it('waits the cooldown of each direction after any change before the next', () => {
    fc.assert(fc.property(recordedRun, patch, (samples, settings) => {
      const { series } = replay({ samples, live, settings });
      let previous = samples[0]!.desired;
      let lastChangeAt: number | null = null;
      for (const [i, point] of series.entries()) {
        if (point.desired !== previous) {
          // The first sample may clamp an out-of-range count, which no cooldown holds back.
          if (i > 0 && lastChangeAt !== null) {
            const cooldownS = point.desired > previous ? settings.scaleUpCooldownS : settings.scaleDownCooldownS;
            expect(point.at - lastChangeAt).toBeGreaterThanOrEqual(cooldownS * 1000);
          }
          lastChangeAt = point.at;
        }
        previous = point.desired;
      }
    }), { numRuns: 60 });
  });

  it('never shows a higher per-replica metric for a larger replayed count at the same instant', () => {
    const noWarmup = patch.map((settings) => ({ ...settings, warmupS: 0 }));
    const perReplicaMetric = fc.constantFrom('replica-cpu' as const, 'rps-per-replica' as const);
    fc.assert(fc.property(recordedRun, noWarmup, noWarmup, perReplicaMetric, (samples, a, b, metric) => {
      const one = replay({ samples, live, settings: { ...a, metric } }).series;
      const other = replay({ samples, live, settings: { ...b, metric } }).series;
      one.forEach((p, i) => {
        const q = other[i]!;
        if (p.metric === null || q.metric === null) return;
        if (p.ready > q.ready) expect(p.metric).toBeLessThanOrEqual(q.metric + 1e-9);
        if (p.ready === q.ready) expect(p.metric).toBeCloseTo(q.metric, 9);
      });
    }), { numRuns: 60 });
  });
});
