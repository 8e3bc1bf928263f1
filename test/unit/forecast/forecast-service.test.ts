// Specification of the live forecast: nothing before a day of history (and the reason why), a forecast once a minute
// from the history and the live samples, its error measured against what came, and the floor in scale mode.
import { describe, expect, it } from 'vitest';
import { applySettingsPatch, defaultSettings, type Settings } from '../../../electron/contract/settings-schema.js';
import { ForecastService } from '../../../electron/core/forecast/forecast-service.js';
import type { LoadSample } from '../../../electron/core/forecast/minute-series.js';
import { dailyShape } from '../../support/synthetic-load.js';

const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 5);

/** One sample a minute of the daily shape in req/s over 2 replicas, from START for `minutes`. */
function minutes(from: number, count: number): LoadSample[] {
  return Array.from({ length: count }, (_, i) => ({ at: START + (from + i) * MINUTE, rps: dailyShape(from + i), replicaCpu: 40, ready: 2 }));
}

function service(patch: Partial<Settings> = {}) {
  let settings = applySettingsPatch(defaultSettings, { metric: 'rps-per-replica', policy: 'target', targetValue: 50, scaleUpThreshold: 80, scaleDownThreshold: 20, ...patch });
  const forecast = new ForecastService(() => settings);
  return { forecast, set: (next: Partial<Settings>) => (settings = applySettingsPatch(settings, next)) };
}

describe('the live forecast', () => {
  it('says how much history it has while it has less than a day, and draws nothing', () => {
    const { forecast } = service();
    forecast.learn(minutes(0, 10 * 60), START + 10 * 60 * MINUTE);
    expect(forecast.view()).toEqual({ error: 'no forecast yet: the history holds 10 h of the 24 h a forecast needs', notFound: true });
    expect(forecast.floor(START + 10 * 60 * MINUTE)).toBeNull();
    expect(forecast.status()).toEqual({ available: false, reason: 'no forecast yet: the history holds 10 h of the 24 h a forecast needs' });
  });

  it('forecasts the next 2 h a minute apart from the history, as total work, with the count it wants', () => {
    const { forecast } = service();
    const now = START + 2 * 1440 * MINUTE + 9 * 60 * MINUTE;
    forecast.learn(minutes(0, 2 * 1440 + 9 * 60), now);
    const view = forecast.view();
    if (!('result' in view)) throw new Error(view.error);
    expect(forecast.status()).toEqual({ available: true, reason: null });
    expect(view.result.metric).toBe('rps-per-replica');
    expect(view.result.points).toHaveLength(120);
    expect(view.result.points[0]?.at).toBe(now);
    expect(view.result.basedOnHours).toBe(57);
    // The 09:30 peak (180 req/s over the floor of 20) is forecast within a few percent.
    const peak = view.result.points[30]!;
    expect(peak.value).toBeGreaterThan(dailyShape(570) * 0.95);
    expect(peak.value).toBeLessThan(dailyShape(570) * 1.05);
    expect(view.result.replicas[30]).toEqual({ at: peak.at, desired: Math.ceil(peak.value / 50) });
  });

  it('says so once when its first forecast is made, so the snapshot telling a page there is one goes out', () => {
    let told = 0;
    const settings = applySettingsPatch(defaultSettings, { metric: 'rps-per-replica' });
    const forecast = new ForecastService(() => settings, () => (told += 1));
    forecast.learn(minutes(0, 1400), START + 1400 * MINUTE);
    expect(told).toBe(0);
    for (const sample of minutes(1400, 60)) forecast.onSample(sample);
    expect(told).toBe(1);
  });

  it('forecasts again only when a minute has ended, and measures each forecast against what came', () => {
    const { forecast } = service();
    const origin = 2 * 1440 + 9 * 60;
    forecast.learn(minutes(0, origin), START + origin * MINUTE);
    const first = forecast.view();
    for (const sample of minutes(origin, 1)) forecast.onSample({ ...sample, at: sample.at + 30_000 });
    expect(forecast.view()).toEqual(first);
    for (const sample of minutes(origin + 1, 10)) forecast.onSample(sample);
    const later = forecast.view();
    if (!('result' in later)) throw new Error(later.error);
    expect(later.result.madeAt).toBe(START + (origin + 10) * MINUTE);
    expect(later.result.error.compared).toBeGreaterThan(10);
    expect(later.result.error.mape).toBeLessThan(0.02);
  });

  it('puts the forecast floor under the count in scale mode only, and answers nothing when off', () => {
    const { forecast, set } = service({ forecast: 'scale', forecastLeadS: 600 });
    const now = START + 2 * 1440 * MINUTE + 9 * 60 * MINUTE;
    forecast.learn(minutes(0, 2 * 1440 + 9 * 60), now);
    // 09:00-09:10, ahead of the 09:30 peak, is its rising edge: more replicas than the 20 req/s night needs, named at
    // the first minute that needs them.
    expect(forecast.floor(now)?.desired).toBeGreaterThan(1);
    expect(forecast.floor(now)?.why).toMatch(/^forecast \d+ req\/s at \d\d:\d\d \(rps-per-replica 50\), \d+ min ahead$/);
    set({ forecast: 'show' });
    expect(forecast.floor(now)).toBeNull();
    set({ forecast: 'off' });
    expect(forecast.view()).toEqual({ error: 'forecast is off: set forecast to "show" or "scale"', notFound: true });
  });
});
