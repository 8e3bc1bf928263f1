// The what-if replay with minReplicas 0: an idle stretch goes to zero, and recorded demand wakes one replica at once.
import { describe, expect, it } from 'vitest';
import { replay } from '../../../electron/core/policy/replay.js';
import type { RecordedSample } from '../../../electron/core/policy/load-model.js';
import { defaultSettings, parseSettings } from '../../../electron/contract/settings-schema.js';

const T0 = 1_700_000_000_000;
const live = parseSettings({ ...defaultSettings, metric: 'rps-per-replica', scaleUpThreshold: 100, scaleDownThreshold: 5, breachSamples: 2, scaleDownCooldownS: 10, scaleUpCooldownS: 60 });

/** One replica the whole time: 20 s idle, then 10 s of 10 requests/s. */
function record(): RecordedSample[] {
  return Array.from({ length: 30 }, (_, second) => {
    const rps = second < 20 ? 0 : 10;
    return { at: T0 + second * 1000, hostCpu: 5, replicaCpu: 1, rps, rpsPerReplica: rps, desired: 1, ready: 1 };
  });
}

describe('what-if with minReplicas 0', () => {
  it('sleeps through the idle stretch and wakes on the first recorded request, past the scale-up cooldown', () => {
    const settings = parseSettings({ ...live, minReplicas: 0 });
    const { series } = replay({ samples: record(), live, settings, actuationMs: 500 });
    const at = (second: number) => series[second]!.desired;
    expect(series.slice(0, 20).some((point) => point.desired === 0)).toBe(true);
    expect(at(19)).toBe(0);
    expect(at(20)).toBe(1);
  });

  it('stays at zero in manual mode however many requests come', () => {
    const settings = parseSettings({ ...live, minReplicas: 0, mode: 'manual' });
    const samples = record().map((sample) => ({ ...sample, desired: 0, ready: 0 }));
    const { series } = replay({ samples, live, settings, actuationMs: 500 });
    expect(series.every((point) => point.desired === 0)).toBe(true);
  });

  it('keeps the minimum of 1 as before when minReplicas is 1', () => {
    const { series } = replay({ samples: record(), live, settings: live, actuationMs: 500 });
    expect(series.every((point) => point.desired === 1)).toBe(true);
  });
});
