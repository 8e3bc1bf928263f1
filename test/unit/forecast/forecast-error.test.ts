// Specification of the forecast's error tracking: every forecast made live is kept (bounded) and set against what
// then happened, as a MAPE and the share of peak minutes it under-forecast.
import { describe, expect, it } from 'vitest';
import { ForecastLog } from '../../../electron/core/forecast/forecast-error.js';

describe('the forecast error', () => {
  it('has no figures before a forecast minute has come due', () => {
    const log = new ForecastLog();
    log.keep(100, [10, 10]);
    expect(log.error()).toEqual({ mape: null, underPeakShare: null, compared: 0 });
  });

  it('is the mean absolute percentage error over each forecast minute that happened', () => {
    const log = new ForecastLog();
    log.keep(100, [10, 20, 30]);
    log.keep(101, [25, 30]);
    log.observe(100, 8);
    log.observe(101, 20);
    // |10-8|/8 = 0.25, |20-20|/20 = 0, |25-20|/20 = 0.25
    expect(log.error().mape).toBeCloseTo(0.5 / 3, 9);
    expect(log.error().compared).toBe(3);
  });

  it('counts the peak minutes the forecast fell short of by more than 10 %', () => {
    const log = new ForecastLog();
    const actual = [10, 10, 10, 10, 10, 10, 10, 10, 100, 100];
    log.keep(0, [10, 10, 10, 10, 10, 10, 10, 10, 95, 50]);
    actual.forEach((value, minute) => log.observe(minute, value));
    // Peak minutes: the top tenth of the recorded values, here the two at 100; one of them was forecast 50.
    expect(log.error().underPeakShare).toBe(0.5);
  });

  it('keeps a bounded number of forecasts, dropping the oldest and the minutes only they covered', () => {
    const log = new ForecastLog(2);
    log.keep(0, [1000]);
    log.observe(0, 10);
    log.keep(1, [10]);
    log.keep(2, [10]);
    log.observe(1, 10);
    log.observe(2, 10);
    expect(log.error()).toMatchObject({ mape: 0, compared: 2 });
  });
});
