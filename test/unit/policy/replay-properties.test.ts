// Properties of the what-if replay on random recorded load and random valid patches: range, cooldowns, load model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replay } from '../../../electron/core/policy/replay.js';
import { defaultSettings, parseSettings, POLICIES, type Settings } from '../../../electron/contract/settings-schema.js';
import { recordLiveRun } from './recorded-run.js';
import type { RecordedSample } from '../../../electron/core/policy/load-model.js';
import { PROPERTY_TIMEOUT_MS, propertyRuns } from '../../support/property-seed.js';

const live: Settings = { ...defaultSettings };

/** Each case drives up to 720 recorded seconds through two policies, a few ms apiece. */
const REPLAY_RUNS = 200;

/** A recorded run: load in levels of random height and length (idle often: zero is a corner), driven through the live policy. */
const recordedRun = fc
  .array(fc.record({ level: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 700 })), seconds: fc.integer({ min: 5, max: 90 }) }), { minLength: 1, maxLength: 8 })
  .chain((levels) => fc.record({ levels: fc.constant(levels), initial: fc.integer({ min: 1, max: 6 }) }))
  .map(({ levels, initial }) => {
    const ends = levels.reduce<number[]>((acc, l) => [...acc, (acc.at(-1) ?? 0) + l.seconds], []);
    const load = (second: number) => levels[ends.findIndex((end) => second < end)]?.level ?? 0;
    return recordLiveRun({ settings: live, load, seconds: ends.at(-1) ?? 1, initial }).samples;
  });

const patch = fc
  .record({
    policy: fc.constantFrom(...POLICIES),
    // Half the patches let the service sleep, where the wake from zero bends the cooldowns.
    minReplicas: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 })),
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

const hasDemand = (sample: RecordedSample) => (sample.rps ?? 0) > 0 || (sample.held ?? 0) > 0;

/**
 * Every replayed change waits the cooldown of its direction after the change before it, with the design's two
 * exceptions: the first sample may clamp an out-of-range count (no change came before it), and at zero replicas a
 * sample with demand wakes one replica at once, as HAProxy's held request does live. The wake still counts as a
 * change, so the next one waits its cooldown after it.
 */
function expectCooldownsKept(samples: RecordedSample[], settings: Settings): void {
  const { series } = replay({ samples, live, settings });
  let previous = samples[0]!.desired;
  let lastChangeAt: number | null = null;
  for (const [i, point] of series.entries()) {
    if (point.desired !== previous) {
      const wake = previous === 0 && point.desired === 1 && settings.mode === 'auto' && hasDemand(samples[i]!);
      if (lastChangeAt !== null && !wake) {
        const cooldownS = point.desired > previous ? settings.scaleUpCooldownS : settings.scaleDownCooldownS;
        expect(point.at - lastChangeAt).toBeGreaterThanOrEqual(cooldownS * 1000);
      }
      lastChangeAt = point.at;
    }
    previous = point.desired;
  }
}

/**
 * The case fast-check seed -2066402233 found (shrunk): an idle one-replica record goes to zero at once (no down
 * cooldown), and the next second's request wakes a replica although the 6 s up-cooldown has not passed.
 */
function wakeInsideCooldown(): [RecordedSample[], Settings] {
  const samples = recordLiveRun({ settings: live, load: (second) => (second < 5 ? 0 : 1), seconds: 10, initial: 1 }).samples;
  const settings = parseSettings({
    ...live, minReplicas: 0, maxReplicas: 1, policy: 'threshold', scaleUpThreshold: 2, scaleDownThreshold: 1, breachSamples: 1, step: 1,
    scaleUpCooldownS: 6, scaleDownCooldownS: 0, warmupS: 0,
  });
  return [samples, settings];
}

describe('the replay, for any recorded load and any valid patch', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('keeps every replayed count within [minReplicas, maxReplicas]', () => {
    fc.assert(fc.property(recordedRun, patch, (samples, settings) => {
      for (const point of replay({ samples, live, settings }).series) {
        expect(point.desired).toBeGreaterThanOrEqual(settings.minReplicas);
        expect(point.desired).toBeLessThanOrEqual(settings.maxReplicas);
      }
    }), propertyRuns(REPLAY_RUNS));
  });

  it('waits the cooldown of each direction after any change before the next, but for the first clamp and a wake from zero', () => {
    fc.assert(fc.property(recordedRun, patch, expectCooldownsKept), { ...propertyRuns(REPLAY_RUNS), examples: [wakeInsideCooldown()] });
  });

  it('wakes one replica at the first sample with demand at zero in auto mode, whatever the cooldowns say', () => {
    fc.assert(fc.property(recordedRun, patch, (samples, settings) => {
      const { series } = replay({ samples, live, settings });
      series.forEach((point, i) => {
        const before = i === 0 ? samples[0]!.desired : series[i - 1]!.desired;
        if (before !== 0 || settings.mode !== 'auto' || !hasDemand(samples[i]!)) return;
        expect(point.desired).toBeGreaterThanOrEqual(1);
      });
    }), { ...propertyRuns(REPLAY_RUNS), examples: [wakeInsideCooldown()] });
  });

  it('wakes from zero inside the scale-up cooldown in the recorded case that once broke the cooldown property', () => {
    const [samples, settings] = wakeInsideCooldown();
    const { series } = replay({ samples, live, settings });
    const before = (i: number) => (i === 0 ? samples[0]!.desired : series[i - 1]!.desired);
    const sleep = series.findIndex((point, i) => before(i) === 1 && point.desired === 0);
    const wake = series.findIndex((point, i) => before(i) === 0 && point.desired === 1);
    expect(sleep).toBeGreaterThanOrEqual(0);
    expect(wake).toBeGreaterThan(sleep);
    expect(series[wake]!.at - series[sleep]!.at).toBeLessThan(settings.scaleUpCooldownS * 1000);
    expectCooldownsKept(samples, settings);
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
    }), propertyRuns(REPLAY_RUNS));
  });
});
