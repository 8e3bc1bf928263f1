// The what-if load model with warm spares: a scale-up takes a warm spare that serves at once; its spare is warm again
// an actuation later; without a warm spare a new replica waits for the actuation and the warm-up as before.
import { describe, expect, it } from 'vitest';
import { FleetModel } from '../../../electron/core/policy/load-model.js';
import { replay } from '../../../electron/core/policy/replay.js';
import { defaultSettings, parseSettings } from '../../../electron/contract/settings-schema.js';
import { loadStep, recordLiveRun } from './recorded-run.js';

const T0 = 1_700_000_000_000;
const ACTUATION_MS = 3000;
const WARMUP_MS = 5000;

describe('FleetModel with warm spares', () => {
  it('serves a scale-up from a spare at the decision, and waits an actuation and warm-up without one', () => {
    const withSpare = new FleetModel({ ready: 1, desired: 1, at: T0 }, ACTUATION_MS, 1);
    const without = new FleetModel({ ready: 1, desired: 1, at: T0 }, ACTUATION_MS, 0);
    for (const fleet of [withSpare, without]) fleet.resize(2, T0 + 1000);
    expect(withSpare.count(T0 + 1000, WARMUP_MS)).toBe(2);
    expect(without.count(T0 + 1000, WARMUP_MS)).toBe(1);
    expect(without.count(T0 + 1000 + WARMUP_MS, WARMUP_MS)).toBe(2);
  });

  it('takes only as many spares as there are warm, and has the used one warm again an actuation later', () => {
    const fleet = new FleetModel({ ready: 1, desired: 1, at: T0 }, ACTUATION_MS, 1);
    fleet.resize(3, T0);
    expect(fleet.count(T0, 0)).toBe(2);
    expect(fleet.count(T0 + ACTUATION_MS, 0)).toBe(3);
    fleet.resize(4, T0 + 1000);
    expect(fleet.count(T0 + 1000, 0)).toBe(2);
    fleet.resize(5, T0 + ACTUATION_MS);
    expect(fleet.count(T0 + ACTUATION_MS, 0)).toBe(4);
  });

  it('keeps a spare-served replica counted after a scale-in and a new scale-up', () => {
    const fleet = new FleetModel({ ready: 2, desired: 2, at: T0 }, ACTUATION_MS, 1);
    fleet.resize(3, T0);
    fleet.resize(2, T0 + 1000);
    expect(fleet.count(T0 + 1000, WARMUP_MS)).toBe(2);
    fleet.resize(3, T0 + 2000);
    expect(fleet.count(T0 + 2000, WARMUP_MS)).toBe(2);
    expect(fleet.count(T0 + 2000 + ACTUATION_MS + WARMUP_MS, WARMUP_MS)).toBe(3);
  });
});

describe('what-if with standbyReplicas', () => {
  it('has the first scale-up serving at the next sample with a spare, an actuation later without, and says so in the model', () => {
    const live = { ...defaultSettings };
    const { samples } = recordLiveRun({ settings: live, load: loadStep(80, 420, 120, 420), seconds: 600, initial: 2 });
    const lagOfFirstScaleUp = (series: { at: number; desired: number; ready: number }[]): number => {
      const i = series.findIndex((point, index) => index > 0 && point.desired > series[index - 1]!.desired);
      const servedAt = series.findIndex((point, index) => index > i && point.ready >= series[i]!.desired);
      return series[servedAt]!.at - series[i]!.at;
    };
    const cold = replay({ samples, live, settings: live, actuationMs: 20_000 });
    const warm = replay({ samples, live, settings: parseSettings({ ...live, standbyReplicas: 1 }), actuationMs: 20_000 });
    expect(lagOfFirstScaleUp(warm.series)).toBeLessThanOrEqual(live.sampleIntervalMs);
    expect(lagOfFirstScaleUp(cold.series)).toBeGreaterThanOrEqual(20_000);
    expect(warm.model).toMatch(/1 warm spare\(s\), a new replica is a spare that serves at the decision/);
  });
});
