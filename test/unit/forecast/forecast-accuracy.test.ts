// Specification of the forecast's accuracy on synthetic weeks: it beats the seasonal-naive baseline where noise is
// in the record, and is never worse than it by more than 5 %.
import { describe, expect, it } from 'vitest';
import { seasonalForecast, seasonalNaive, type ForecastCurve } from '../../../electron/core/forecast/forecaster.js';
import { MinuteSeries } from '../../../electron/core/forecast/minute-series.js';
import { propertyRuns } from '../../support/property-seed.js';
import { DAY_MINUTES, dailyShape, syntheticWeek, weeklyShape } from '../../support/synthetic-load.js';

type Method = (series: MinuteSeries, origin: number) => ForecastCurve;

/** MAPE of 2 h forecasts made every 30 minutes over the last week of `series`, each from the week before it. */
function mapeOverLastWeek(method: Method, series: MinuteSeries): number {
  let sum = 0;
  let count = 0;
  for (let origin = series.length - 7 * DAY_MINUTES; origin + 120 <= series.length; origin += 30) {
    method(series, origin).values.forEach((value, h) => {
      const actual = series.values[origin + h] as number;
      if (actual > 0) {
        sum += Math.abs(value - actual) / actual;
        count += 1;
      }
    });
  }
  return sum / count;
}

const { seed } = propertyRuns(1);
const cases = [
  { name: 'a daily shape', shape: dailyShape },
  { name: 'a weekly shape (quiet weekends)', shape: weeklyShape },
].flatMap(({ name, shape }) => [0.05, 0.2].map((noise) => ({ name: `${name}, noise ±${noise * 100} %`, shape, noise })));

describe('the similar-days forecast against seasonal-naive (seed printed above)', () => {
  const results = cases.map(({ name, shape, noise }) => {
    // 14 days: each day of the second week, weekend included, is forecast from the full week before it.
    const series = syntheticWeek(shape, { days: 14, noise, seed: seed + Math.round(noise * 100) });
    return { name, ours: mapeOverLastWeek(seasonalForecast, series), naive: mapeOverLastWeek(seasonalNaive, series) };
  });

  it.each(results)('is never worse than seasonal-naive by more than 5 % on $name', ({ name, ours, naive }) => {
    console.log(`forecast MAPE on ${name}: similar days ${(ours * 100).toFixed(1)} %, seasonal-naive ${(naive * 100).toFixed(1)} %`);
    expect(ours).toBeLessThanOrEqual(naive * 1.05);
  });

  it('beats seasonal-naive by 10 % or more where the record is noisy', () => {
    const noisy = results.filter((r) => r.name.includes('20 %'));
    expect(noisy.some((r) => r.ours < r.naive * 0.9)).toBe(true);
  });
});

describe('the recent level', () => {
  /** 5 req/s, and 150 from 09:00 to 10:00, every day for `days`. */
  const peakDays = (days: number) => syntheticWeek((m) => (m % DAY_MINUTES >= 540 && m % DAY_MINUTES < 600 ? 150 : 5), { days, noise: 0, seed: 1 });

  it('does not halve a peak because the quiet minutes before it were quieter than usual', () => {
    const series = peakDays(8);
    const origin = 7 * DAY_MINUTES + 530;
    for (let m = origin - 30; m < origin; m++) series.values[m] = 0;
    const quiet = new MinuteSeries(series.firstMinute, series.values);
    expect(seasonalForecast(quiet, origin).values[20]).toBeGreaterThan(150 * 0.9);
  });

  it('moves the forecast when the load runs higher than the days before', () => {
    const series = peakDays(8);
    const origin = 7 * DAY_MINUTES + 570;
    for (let m = origin - 30; m < origin; m++) series.values[m] = 180;
    const high = new MinuteSeries(series.firstMinute, series.values);
    expect(seasonalForecast(high, origin).values[0]).toBeGreaterThan(160);
  });
});
