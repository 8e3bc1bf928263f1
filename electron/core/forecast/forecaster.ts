// The load forecast: the next two hours, minute by minute, from up to a week of minutes before it.
//
// Method (similar days): the same minute of each of the up to 7 days before, each smoothed over 5 minutes so one
// noisy minute is not copied forward, averaged with weights. Once a week is known, the day a week before is the
// reference and every day counts by how close it comes to it, within twice the noise: a weekday learns from weekdays,
// a Saturday from weekends, and on a plain daily shape all 7 days count alike and their noise averages out. With less
// than a week, days count by how alike they were to today over the last 4 hours (1 / error²). The result is scaled by
// the recent level (the last 30 minutes as recorded over as forecast, fading with the horizon).
// The baseline it is measured against (seasonalNaive) is the same minute a week before (or a day, with less history),
// raw, with the same level.
import type { MinuteSeries } from './minute-series.js';

export const DAY_MINUTES = 1440;
export const WEEK_MINUTES = 7 * DAY_MINUTES;
export const HORIZON_MINUTES = 120;
/** A forecast needs a day of history: less has no same time of day to learn from. */
export const MIN_HISTORY_MINUTES = DAY_MINUTES;

const SMOOTH_MINUTES = 2;
const BACKTEST_MINUTES = 240;
/** A day compared over fewer minutes than this is not judged on them. */
const MIN_COMPARED_MINUTES = 30;
const LEVEL_MINUTES = 30;
const LEVEL_FADE_MINUTES = 60;
const LEVEL_BOUNDS = [0.5, 2] as const;
const LEVEL_PRIOR = 0.5;
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

/**
 * How far a minute strays from its neighbours over the last BACKTEST_MINUTES (mean |x - mean of the 4 around it|): the
 * error a day of the same kind as today would show, since only noise would set it apart. NaN when not measurable.
 */
function noiseLevel(series: MinuteSeries, origin: number): number {
  let sum = 0;
  let count = 0;
  for (let at = Math.max(SMOOTH_MINUTES, origin - BACKTEST_MINUTES); at < origin - SMOOTH_MINUTES; at++) {
    const value = series.values[at] as number;
    const around = ((series.values[at - 2] as number) + (series.values[at - 1] as number) + (series.values[at + 1] as number) + (series.values[at + 2] as number)) / 4;
    if (!Number.isFinite(value) || !Number.isFinite(around)) continue;
    sum += Math.abs(value - around);
    count += 1;
  }
  return count < MIN_COMPARED_MINUTES ? Number.NaN : sum / count;
}

/**
 * Per day back (1..7), how much it counts while there is no week-ago day to go by: 1 / (its mean error over the last
 * BACKTEST_MINUTES)²; a day that cannot be compared there counts as much as the most alike one, or all alike.
 */
function dayWeights(series: MinuteSeries, origin: number): number[] {
  const weights: number[] = [];
  for (let d = 1; d <= 7; d++) {
    let error = 0;
    let count = 0;
    for (let at = Math.max(d * DAY_MINUTES, origin - BACKTEST_MINUTES); at < origin; at++) {
      const actual = series.values[at] as number;
      const past = smoothed(series, at - d * DAY_MINUTES, at);
      if (!Number.isFinite(actual) || !Number.isFinite(past)) continue;
      error += Math.abs(past - actual);
      count += 1;
    }
    weights.push(count < MIN_COMPARED_MINUTES ? Number.NaN : 1 / ((error / count) ** 2 + 1e-9));
  }
  const known = weights.filter((w) => Number.isFinite(w));
  const stand = known.length > 0 ? Math.max(...known) : 1;
  return weights.map((w) => (Number.isFinite(w) ? w : stand));
}

/** How days are weighed at one origin: by the recent comparison, and by closeness to the week-ago day within `tolerance`. */
interface Weighing {
  recent: readonly number[];
  tolerance: number;
}

/**
 * The similar-days value at index `at`, from indices below `bound`; NaN when no day before holds it. With the day a
 * week before known, each day counts by how close it comes to it (a Gaussian of the difference over the tolerance):
 * days of another kind (a weekend for a weekday) drop out, days of the same kind average their noise away.
 */
function similarDays(series: MinuteSeries, at: number, bound: number, weighing: Weighing): number {
  const weekAgo = at - 7 * DAY_MINUTES >= 0 ? smoothed(series, at - 7 * DAY_MINUTES, bound) : Number.NaN;
  let sum = 0;
  let total = 0;
  for (let d = 1; d <= 7; d++) {
    if (at - d * DAY_MINUTES < 0) break;
    const value = smoothed(series, at - d * DAY_MINUTES, bound);
    if (!Number.isFinite(value)) continue;
    const weight = Number.isFinite(weekAgo)
      ? Math.exp(-(((value - weekAgo) / weighing.tolerance) ** 2))
      : (weighing.recent[d - 1] as number);
    sum += weight * value;
    total += weight;
  }
  return total > 0 ? sum / total : Number.NaN;
}

/** The tolerance around the week-ago day: twice the noise, and never under 2 % of the recent level. */
function toleranceAt(series: MinuteSeries, origin: number): number {
  const noise = noiseLevel(series, origin);
  const floor = 0.02 * Math.abs(recentMean(series, origin)) + 1e-6;
  return Number.isFinite(noise) ? Math.max(2 * noise, floor) : floor;
}

/**
 * The ratio of what was recorded over the last LEVEL_MINUTES to what `reference` says for them, bounded, and drawn
 * towards 1 by a prior as large as half those minutes at the mean `ahead` of the horizon: a quiet night at 0 req/s
 * instead of the usual 5 must not halve the peak that follows, while a peak running 20 % high moves the level.
 */
function recentLevel(series: MinuteSeries, origin: number, reference: (at: number) => number, ahead: number): number {
  const prior = Number.isFinite(ahead) ? LEVEL_PRIOR * LEVEL_MINUTES * ahead : 0;
  let recorded = prior;
  let expected = prior;
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

function finiteMean(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? Number.NaN : finite.reduce((sum, v) => sum + v, 0) / finite.length;
}

/** Seasonal values scaled by the level fading over the horizon; a missing one is `fallback`. */
function withLevel(seasonal: readonly number[], level: number, fallback: number): number[] {
  return seasonal.map((value, h) => (Number.isFinite(value) ? Math.max(0, value * levelAt(level, h)) : fallback));
}

/** The forecast for `horizon` minutes from index `origin` of `series`, reading only the minutes before `origin`. */
export function seasonalForecast(series: MinuteSeries, origin: number, horizon = HORIZON_MINUTES): ForecastCurve {
  const weights: Weighing = { recent: dayWeights(series, origin), tolerance: toleranceAt(series, origin) };
  const ratios: number[] = [];
  for (let at = Math.max(0, origin - BACKTEST_MINUTES); at < origin; at++) {
    const actual = series.values[at] as number;
    const fitted = similarDays(series, at, at, weights);
    if (Number.isFinite(actual) && Number.isFinite(fitted) && fitted > 1e-9) ratios.push(actual / fitted);
  }
  const seasonal = Array.from({ length: horizon }, (_, h) => similarDays(series, origin + h, origin, weights));
  const level = recentLevel(series, origin, (at) => similarDays(series, at, at, weights), finiteMean(seasonal));
  const values = withLevel(seasonal, level, recentMean(series, origin));
  if (ratios.length < MIN_RESIDUALS) return { values };
  ratios.sort((a, b) => a - b);
  const [low, high] = [quantile(ratios, 0.1), quantile(ratios, 0.9)];
  return { values, low: values.map((v) => v * Math.min(1, low)), high: values.map((v) => v * Math.max(1, high)) };
}

/** The baseline: the same minute a week before (a day before while there is less than a week), with the recent level. */
export function seasonalNaive(series: MinuteSeries, origin: number, horizon = HORIZON_MINUTES): ForecastCurve {
  const lag = origin - WEEK_MINUTES >= LEVEL_MINUTES ? WEEK_MINUTES : DAY_MINUTES;
  const naive = (at: number): number => (at - lag >= 0 ? (series.values[at - lag] ?? Number.NaN) : Number.NaN);
  const seasonal = Array.from({ length: horizon }, (_, h) => naive(origin + h));
  const level = recentLevel(series, origin, naive, finiteMean(seasonal));
  return { values: withLevel(seasonal, level, recentMean(series, origin)) };
}
