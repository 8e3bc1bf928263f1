// The load forecast: the next two hours, minute by minute, from up to a week of minutes before it.
//
// Method (seasonal ensemble): two seasonal candidates, each smoothed over 5 minutes so one noisy minute of a past day
// is not copied forward:
//   - daily: the median, over the up to 7 days before, of the same minute of the day (the median keeps a weekend's
//     two odd days from pulling a weekday's forecast);
//   - weekly: the same minute a week before (a weekly shape, such as quiet weekends, that the daily median flattens).
// They are blended by how well each would have forecast the last 3 hours (weights 1 / error²), then the blend is
// scaled by the recent level (the last 30 minutes as recorded over as forecast, fading with the horizon).
// The baseline it is measured against (seasonalNaive) is the same week's or day's minute, raw, with the same level.
import type { MinuteSeries } from './minute-series.js';

export const DAY_MINUTES = 1440;
export const WEEK_MINUTES = 7 * DAY_MINUTES;
export const HORIZON_MINUTES = 120;
/** A forecast needs a day of history: less has no same time of day to learn from. */
export const MIN_HISTORY_MINUTES = DAY_MINUTES;

const SMOOTH_MINUTES = 2;
const BACKTEST_MINUTES = 180;
const LEVEL_MINUTES = 30;
const LEVEL_FADE_MINUTES = 60;
const LEVEL_BOUNDS = [0.5, 2] as const;
/** Fewer residuals than this give no band worth drawing. */
const MIN_RESIDUALS = 30;

export interface ForecastCurve {
  /** One value per minute from the forecast's first minute (the origin) on. */
  values: number[];
  /** The band the last 3 hours' errors put around each value (10th and 90th percentile), when they were enough. */
  low?: number[];
  high?: number[];
}

/** A value of `series` at index `at`, smoothed over ±SMOOTH_MINUTES, from indices below `bound` only. */
function smoothed(series: MinuteSeries, at: number, bound: number): number {
  return series.mean(at - SMOOTH_MINUTES, Math.min(at + SMOOTH_MINUTES + 1, bound));
}

function dailyMedian(series: MinuteSeries, at: number, bound: number, scratch: number[]): number {
  scratch.length = 0;
  for (let d = 1; d <= 7; d++) {
    const value = at - d * DAY_MINUTES >= 0 ? smoothed(series, at - d * DAY_MINUTES, bound) : Number.NaN;
    if (Number.isFinite(value)) scratch.push(value);
  }
  if (scratch.length === 0) return Number.NaN;
  scratch.sort((a, b) => a - b);
  const middle = scratch.length >> 1;
  return scratch.length % 2 === 1 ? (scratch[middle] as number) : ((scratch[middle - 1] as number) + (scratch[middle] as number)) / 2;
}

function weekly(series: MinuteSeries, at: number, bound: number): number {
  return at - WEEK_MINUTES >= 0 ? smoothed(series, at - WEEK_MINUTES, bound) : Number.NaN;
}

/** The ratio of what was recorded over the last LEVEL_MINUTES to what `reference` says for them, bounded. */
function recentLevel(series: MinuteSeries, origin: number, reference: (at: number) => number): number {
  let recorded = 0;
  let expected = 0;
  for (let at = origin - LEVEL_MINUTES; at < origin; at++) {
    const actual = series.values[at];
    const ref = reference(at);
    if (actual === undefined || !Number.isFinite(actual) || !Number.isFinite(ref)) continue;
    recorded += actual;
    expected += ref;
  }
  if (expected <= 1e-9) return 1;
  return Math.min(LEVEL_BOUNDS[1], Math.max(LEVEL_BOUNDS[0], recorded / expected));
}

/** The level's weight `h` minutes ahead: a surprise now says much about the next minutes, little about the next hours. */
const levelAt = (level: number, h: number): number => 1 + (level - 1) * Math.exp(-h / LEVEL_FADE_MINUTES);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** When a seasonal value is missing (a gap, too little history), the recent mean stands in: the best guess left. */
function recentMean(series: MinuteSeries, origin: number): number {
  const mean = series.mean(origin - LEVEL_MINUTES, origin);
  return Number.isFinite(mean) ? mean : 0;
}

/** The forecast for `horizon` minutes from index `origin` of `series`, reading only the minutes before `origin`. */
export function seasonalForecast(series: MinuteSeries, origin: number, horizon = HORIZON_MINUTES): ForecastCurve {
  const scratch: number[] = [];
  let dailyError = 0;
  let weeklyError = 0;
  let weeklyKnown = true;
  for (let at = Math.max(0, origin - BACKTEST_MINUTES); at < origin; at++) {
    const actual = series.values[at] as number;
    if (!Number.isFinite(actual)) continue;
    const d = dailyMedian(series, at, at, scratch);
    const w = weekly(series, at, at);
    if (Number.isFinite(d)) dailyError += Math.abs(d - actual);
    if (Number.isFinite(w)) weeklyError += Math.abs(w - actual);
    else weeklyKnown = false;
  }
  const dailyWeight = 1 / (dailyError * dailyError + 1e-9);
  const weeklyWeight = weeklyKnown ? 1 / (weeklyError * weeklyError + 1e-9) : 0;
  const blend = (at: number, bound: number): number => {
    const d = dailyMedian(series, at, bound, scratch);
    const w = weeklyWeight > 0 ? weekly(series, at, bound) : Number.NaN;
    if (!Number.isFinite(w)) return d;
    if (!Number.isFinite(d)) return w;
    return (dailyWeight * d + weeklyWeight * w) / (dailyWeight + weeklyWeight);
  };

  const ratios: number[] = [];
  for (let at = Math.max(0, origin - BACKTEST_MINUTES); at < origin; at++) {
    const actual = series.values[at] as number;
    const fitted = blend(at, at);
    if (Number.isFinite(actual) && Number.isFinite(fitted) && fitted > 1e-9) ratios.push(actual / fitted);
  }
  const level = recentLevel(series, origin, (at) => blend(at, at));
  const fallback = recentMean(series, origin);
  const values: number[] = [];
  for (let h = 0; h < horizon; h++) {
    const seasonal = blend(origin + h, origin);
    values.push(Number.isFinite(seasonal) ? Math.max(0, seasonal * levelAt(level, h)) : fallback);
  }
  if (ratios.length < MIN_RESIDUALS) return { values };
  ratios.sort((a, b) => a - b);
  const [low, high] = [quantile(ratios, 0.1), quantile(ratios, 0.9)];
  return { values, low: values.map((v) => v * Math.min(1, low)), high: values.map((v) => v * Math.max(1, high)) };
}

/** The baseline: the same minute a week before (a day before while there is less than a week), with the recent level. */
export function seasonalNaive(series: MinuteSeries, origin: number, horizon = HORIZON_MINUTES): ForecastCurve {
  const lag = origin - WEEK_MINUTES >= LEVEL_MINUTES ? WEEK_MINUTES : DAY_MINUTES;
  const naive = (at: number): number => (at - lag >= 0 ? (series.values[at - lag] ?? Number.NaN) : Number.NaN);
  const level = recentLevel(series, origin, naive);
  const fallback = recentMean(series, origin);
  const values: number[] = [];
  for (let h = 0; h < horizon; h++) {
    const seasonal = naive(origin + h);
    values.push(Number.isFinite(seasonal) ? Math.max(0, seasonal * levelAt(level, h)) : fallback);
  }
  return { values };
}
