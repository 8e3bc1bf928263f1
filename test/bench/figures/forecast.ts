// Figure 11: the forecast. On a synthetic week, `forecast: "scale"` against reactive rules alone, both replayed over
// its last day (time above the up-threshold, replica-minutes, scale events), and the time to forecast 2 h from 7 days.
import { performance } from 'node:perf_hooks';
import { applySettingsPatch, defaultSettings } from '../../../electron/contract/settings-schema.js';
import { seasonalForecast, seasonalNaive, WEEK_MINUTES } from '../../../electron/core/forecast/forecaster.js';
import { MinuteSeries, minuteOf } from '../../../electron/core/forecast/minute-series.js';
import { ReplayForecast } from '../../../electron/core/forecast/replay-forecast.js';
import { replay } from '../../../electron/core/policy/replay.js';
import { recordedWeek, seededRandom } from '../../support/synthetic-load.js';
import { runsFor, type BenchContext } from '../bench-context.js';
import { row, type FigureResult } from '../summary.js';

const FIGURE = '11 forecast';
const DAY_MS = 86_400_000;
// A Tuesday: the last day replayed is a weekday with both rushes.
const END = Date.UTC(2026, 0, 14);
const GOAL_FORECAST_MS = 50;

/**
 * Requests/s: 30 at night; a morning rush at 09:00 (300 req/s at once, for 90 minutes), an afternoon one
 * at 14:00 (200 req/s, an hour), a third of it all on weekends; each minute x (1 ± 10 %) seeded noise.
 */
function weekOfRushes(): (at: number) => number {
  const random = seededRandom(11);
  const noise = new Map<number, number>();
  return (at) => {
    const minute = minuteOf(at);
    if (!noise.has(minute)) noise.set(minute, 1 + 0.1 * (2 * random() - 1));
    const minuteOfDay = minute % 1440;
    const weekend = Math.floor(at / DAY_MS + 3) % 7 >= 5;
    const rush = (start: number, length: number, height: number) => (minuteOfDay < start || minuteOfDay >= start + length ? 0 : height);
    const load = 30 + rush(540, 90, 270) + rush(840, 60, 170);
    return load * (weekend ? 0.35 : 1) * (noise.get(minute) as number);
  };
}

function timed(runs: number, work: () => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return times;
}

export async function forecastFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  context.log('forecast: a synthetic week (1 s samples on its last day), replayed over its last day');
  const week = recordedWeek({ endMs: END, days: 8, lastDayStepMs: 1000, rpsAt: weekOfRushes(), replicas: 4 });
  const fromMs = END - DAY_MS;
  const lastDay = week.filter((s) => s.at >= fromMs);
  const live = applySettingsPatch(defaultSettings, { metric: 'rps-per-replica', scaleUpThreshold: 70, scaleDownThreshold: 30, minReplicas: 1, maxReplicas: 10 });
  const ahead = applySettingsPatch(live, { forecast: 'scale', forecastLeadS: 300 });

  const reactive = replay({ samples: lastDay, live, settings: live });
  let forecastReplay = replay({ samples: lastDay, live, settings: ahead, forecastFloor: () => null });
  const replayMs = timed(runsFor(context, 3, 1), () => {
    const forecast = new ReplayForecast(week, ahead, fromMs, END);
    forecastReplay = replay({ samples: lastDay, live, settings: ahead, forecastFloor: (at) => forecast.floorAt(at) });
  });
  const withForecast = forecastReplay.summary;

  // The forecast alone: 2 h from the 7 days of minutes before the last day's 09:00.
  const series = MinuteSeries.fromSamples(week, 'rps', minuteOf(fromMs) - WEEK_MINUTES, minuteOf(END));
  const origin = WEEK_MINUTES + 540 - 5;
  timed(20, () => seasonalForecast(series, origin));
  const forecastMs = timed(runsFor(context, 200, 30), () => seasonalForecast(series, origin));
  const fromSamplesMs = timed(runsFor(context, 20, 5), () => seasonalForecast(MinuteSeries.fromSamples(week, 'rps', minuteOf(fromMs) - WEEK_MINUTES, minuteOf(END)), origin));

  // The error on the last day, forecasts made every 30 minutes, against seasonal-naive.
  const mape = (method: typeof seasonalForecast) => {
    let sum = 0;
    let count = 0;
    for (let o = WEEK_MINUTES; o + 120 <= series.length; o += 30) {
      method(series, o).values.forEach((value, h) => {
        const actual = series.values[o + h] as number;
        if (actual > 0) {
          sum += Math.abs(value - actual) / actual;
          count += 1;
        }
      });
    }
    return (sum / count) * 100;
  };

  const aboveRow = row({ figure: FIGURE, subject: 'forecast scale', measure: 'seconds above the up-threshold, last day', unit: 's', values: [withForecast.secondsAboveUp] });
  aboveRow.goal = { text: `<= half of reactive (${(reactive.summary.secondsAboveUp / 2).toFixed(0)} s)`, met: withForecast.secondsAboveUp <= reactive.summary.secondsAboveUp / 2 };
  const costRow = row({ figure: FIGURE, subject: 'forecast scale', measure: 'replica-minutes, last day', unit: 'min', values: [withForecast.replicaSeconds / 60] });
  costRow.goal = { text: `<= reactive + 10 % (${((reactive.summary.replicaSeconds / 60) * 1.1).toFixed(0)} min)`, met: withForecast.replicaSeconds <= reactive.summary.replicaSeconds * 1.1 };
  const speedRow = row({ figure: FIGURE, subject: 'forecast', measure: '2 h from 7 days of minutes (10080)', unit: 'ms', values: forecastMs });
  speedRow.goal = { text: `p95 <= ${GOAL_FORECAST_MS} ms`, met: (speedRow.spread?.p95 ?? Infinity) <= GOAL_FORECAST_MS };
  const rows = [
    row({ figure: FIGURE, subject: 'reactive alone', measure: 'seconds above the up-threshold, last day', unit: 's', values: [reactive.summary.secondsAboveUp] }),
    aboveRow,
    row({ figure: FIGURE, subject: 'reactive alone', measure: 'replica-minutes, last day', unit: 'min', values: [reactive.summary.replicaSeconds / 60] }),
    costRow,
    row({ figure: FIGURE, subject: 'reactive alone', measure: 'scale events, last day', unit: 'events', values: [reactive.summary.scaleEvents] }),
    row({ figure: FIGURE, subject: 'forecast scale', measure: 'scale events, last day', unit: 'events', values: [withForecast.scaleEvents] }),
    speedRow,
    row({ figure: FIGURE, subject: 'forecast', measure: '2 h from a week of samples (minutes built too)', unit: 'ms', values: fromSamplesMs }),
    row({ figure: FIGURE, subject: 'forecast', measure: 'what-if replay of a day with the forecast (1440 forecasts)', unit: 'ms', values: replayMs }),
    row({ figure: FIGURE, subject: 'similar days', measure: 'MAPE of 2 h forecasts on the last day', unit: '%', values: [mape(seasonalForecast)] }),
    row({ figure: FIGURE, subject: 'seasonal-naive', measure: 'MAPE of 2 h forecasts on the last day', unit: '%', values: [mape(seasonalNaive)] }),
  ];
  return {
    id: 'forecast',
    title: 'Forecast: scaling ahead of a daily load against reactive rules alone',
    rows,
    findings: [
      `replayed over the last of 8 synthetic days (rushes at 09:00 and 14:00, quiet weekends, ±10 % noise) with rps-per-replica thresholds 70/30 and the default cooldowns; scale mode sizes for the up-threshold (the count where the rule stops scaling out), ${ahead.forecastLeadS} s ahead`,
      'the forecast compares 7 days with the last 4 h, then weighs 7 smoothed days for each of 120 minutes: its cost does not grow with the samples per minute',
    ],
    durationS: (Date.now() - startedAt) / 1000,
  };
}
