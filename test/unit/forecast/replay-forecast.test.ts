// Specification of the what-if replay with the forecast: at each moment the forecast as it would have been made then,
// from the history before it, raising the replayed count ahead of a daily peak that reactive rules only follow.
import { describe, expect, it } from 'vitest';
import { applySettingsPatch, defaultSettings } from '../../../electron/contract/settings-schema.js';
import { ReplayForecast } from '../../../electron/core/forecast/replay-forecast.js';
import { replay } from '../../../electron/core/policy/replay.js';
import { recordedWeek } from '../../support/synthetic-load.js';

const DAY = 86_400_000;
const END = Date.UTC(2026, 0, 12);
/** 20 req/s, and 150 req/s every day from 09:00 to 10:00 UTC. */
const rpsAt = (at: number) => {
  const minuteOfDay = Math.floor((at % DAY) / 60_000);
  return minuteOfDay >= 540 && minuteOfDay < 600 ? 150 : 20;
};
const live = applySettingsPatch(defaultSettings, { metric: 'rps-per-replica', scaleUpThreshold: 70, scaleDownThreshold: 30, minReplicas: 1, maxReplicas: 10 });

describe('what-if with the forecast', () => {
  const week = recordedWeek({ endMs: END, days: 7, lastDayStepMs: 5000, rpsAt, replicas: 1 });
  const fromMs = END - DAY;
  const lastDay = week.filter((s) => s.at >= fromMs);
  const peakAt = fromMs + 540 * 60_000;

  it('raises the replayed count forecastLeadS before the peak, to what the rules want for it', () => {
    const settings = applySettingsPatch(live, { forecast: 'scale', forecastLeadS: 300 });
    const forecast = new ReplayForecast(week, settings, fromMs, END);
    const result = replay({ samples: lastDay, live, settings, forecastFloor: (at) => forecast.floorAt(at) });
    const before = result.series.filter((p) => p.at >= peakAt - 300_000 && p.at < peakAt);
    // 150 req/s at up to 70 per replica: 3 replicas, from 5 minutes before 09:00.
    expect(before.at(-1)?.desired).toBe(3);
    expect(result.series.find((p) => p.desired === 3)!.at).toBeGreaterThanOrEqual(peakAt - 300_000 - 60_000);
    expect(result.series.filter((p) => p.at < peakAt - 360_000).every((p) => p.desired === 1)).toBe(true);
  });

  it('halves the time above the up-threshold of reactive rules alone', () => {
    const reactive = replay({ samples: lastDay, live, settings: live });
    const settings = applySettingsPatch(live, { forecast: 'scale' });
    const forecast = new ReplayForecast(week, settings, fromMs, END);
    const ahead = replay({ samples: lastDay, live, settings, forecastFloor: (at) => forecast.floorAt(at) });
    expect(reactive.summary.secondsAboveUp).toBeGreaterThan(0);
    expect(ahead.summary.secondsAboveUp).toBeLessThanOrEqual(reactive.summary.secondsAboveUp / 2);
  });

  it('holds the forecast scale-out while scale-out is paused, as it holds the rules', () => {
    const settings = applySettingsPatch(live, { forecast: 'scale', forecastLeadS: 300, pauseScaleOut: true });
    const forecast = new ReplayForecast(week, settings, fromMs, END);
    const result = replay({ samples: lastDay, live, settings, forecastFloor: (at) => forecast.floorAt(at) });
    expect(result.series.filter((p) => p.at < peakAt).every((p) => p.desired === 1)).toBe(true);
  });

  it('forecasts nothing from less than a day of history', () => {
    const settings = applySettingsPatch(live, { forecast: 'scale' });
    const forecast = new ReplayForecast(lastDay, settings, fromMs, END);
    expect(forecast.floorAt(peakAt - 60_000)).toBeNull();
  });
});
