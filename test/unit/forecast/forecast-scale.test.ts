// Specification of `forecast: "scale"`: the count the rules would want for the forecast load, raised a lead time before
// the load arrives, never lowered by the forecast itself, inside the range, with a reason that names the forecast.
import { describe, expect, it } from 'vitest';
import { applySettingsPatch, defaultSettings } from '../../../electron/contract/settings-schema.js';
import { forecastFloor, forecastReplicas, forecastStep, perReplicaLoad } from '../../../electron/core/forecast/forecast-scale.js';

const MINUTE = 60_000;
// 09:00 local time on a fixed day, so the reason's clock reads the same wherever the test runs.
const NINE = new Date(2026, 0, 5, 9, 0, 0).getTime();
const rps = applySettingsPatch(defaultSettings, {
  forecast: 'scale', forecastLeadS: 300, policy: 'target', metric: 'rps-per-replica', targetValue: 60, scaleUpThreshold: 80, scaleDownThreshold: 20, minReplicas: 1, maxReplicas: 10,
});

/** A forecast from 09:00: `quiet` req/s until 09:05, then 180 req/s. */
function peakAtFive(quiet = 30) {
  const values = Array.from({ length: 120 }, (_, h) => (h >= 5 ? 180 : quiet));
  return { firstMinute: NINE / MINUTE, byKind: { rps: values } };
}

describe('the forecast floor', () => {
  it('raises the count forecastLeadS before the forecast load arrives, with the forecast in the reason', () => {
    const floor = forecastFloor(peakAtFive(), rps, NINE);
    expect(floor).toEqual({ desired: 3, why: 'forecast 180 req/s at 09:05 (rps-per-replica 60), 5 min ahead' });
    expect(forecastStep(floor, rps, 1)).toEqual({ scaleTo: 3, reason: '1 -> 3: forecast 180 req/s at 09:05 (rps-per-replica 60), 5 min ahead' });
  });

  it('does not act on load further ahead than the lead time', () => {
    const early = forecastFloor(peakAtFive(), rps, NINE - 2 * MINUTE);
    expect(early?.desired).toBe(1);
    expect(forecastStep(early, rps, 1)).toEqual({ settings: rps });
    const shortLead = applySettingsPatch(rps, { forecastLeadS: 60 });
    expect(forecastFloor(peakAtFive(), shortLead, NINE)?.desired).toBe(1);
  });

  it('never scales in by itself: a floor below the count only keeps the reactive rules from going under it', () => {
    const floor = forecastFloor(peakAtFive(), rps, NINE);
    const step = forecastStep(floor, rps, 5);
    expect(step).toEqual({ settings: { ...rps, minReplicas: 3 } });
    const quiet = forecastFloor({ ...peakAtFive(), byKind: { rps: new Array(120).fill(10) } }, rps, NINE);
    expect(forecastStep(quiet, rps, 5)).toEqual({ settings: rps });
  });

  it('stays inside the range', () => {
    const narrow = applySettingsPatch(rps, { maxReplicas: 2 });
    expect(forecastFloor(peakAtFive(), narrow, NINE)?.desired).toBe(2);
    const high = applySettingsPatch(rps, { minReplicas: 4 });
    expect(forecastFloor(peakAtFive(), high, NINE)?.desired).toBe(4);
    expect(forecastStep(forecastFloor(peakAtFive(), high, NINE), high, 4)).toEqual({ settings: high });
  });

  it('acts only in scale mode and in auto mode', () => {
    const floor = forecastFloor(peakAtFive(), rps, NINE);
    for (const patch of [{ forecast: 'show' }, { forecast: 'off' }, { mode: 'manual' }]) {
      const settings = applySettingsPatch(rps, patch);
      expect(forecastStep(floor, settings, 1)).toEqual({ settings });
    }
  });

  it('sizes a threshold rule at its up-threshold, where it stops scaling out, and replica CPU from its total', () => {
    const cpu = applySettingsPatch(defaultSettings, { forecast: 'scale', metric: 'replica-cpu', scaleUpThreshold: 70, scaleDownThreshold: 30 });
    expect(perReplicaLoad(cpu.rules[0]!, cpu.policy)).toBe(70);
    const curves = { firstMinute: NINE / MINUTE, byKind: { cpu: new Array(120).fill(220) } };
    expect(forecastFloor(curves, cpu, NINE)).toEqual({ desired: 4, why: 'forecast 220% replica CPU in all at 09:00 (replica-cpu 70%), 0 min ahead' });
  });

  it('ignores rules whose metric no replica count divides (host CPU, memory, latency)', () => {
    const host = applySettingsPatch(defaultSettings, { forecast: 'scale', metric: 'host-cpu' });
    expect(forecastFloor(peakAtFive(), host, NINE)).toBeNull();
  });

  it('gives the replica chart the count each forecast minute wants', () => {
    const counts = forecastReplicas(peakAtFive(), rps);
    expect(counts[0]).toEqual({ at: NINE, desired: 1 });
    expect(counts[5]).toEqual({ at: NINE + 5 * MINUTE, desired: 3 });
    expect(counts).toHaveLength(120);
  });
});
