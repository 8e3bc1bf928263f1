// How wrong the forecasts made live turned out: each one is kept (bounded), each of its minutes is set against what
// was then recorded, and the errors are summed up as a MAPE and the share of peak minutes it under-forecast.

/** Forecasts kept: a day of them at one per minute. */
export const KEPT_FORECASTS = 1440;
/** A minute is a peak minute when its recorded load is in the top tenth of the minutes compared. */
const PEAK_QUANTILE = 0.9;
/** A peak minute counts as under-forecast when the forecast fell short of it by more than this share. */
export const UNDER_TOLERANCE = 0.1;

export interface ForecastError {
  /** Mean absolute percentage error over every forecast minute that has happened since (minutes recorded as 0 left out). */
  mape: number | null;
  /** Of the peak minutes compared, the share the forecast fell short of by more than 10 %. */
  underPeakShare: number | null;
  /** How many (forecast minute, recorded minute) pairs the figures rest on. */
  compared: number;
}

interface KeptForecast {
  firstMinute: number;
  values: Float64Array;
}

export class ForecastLog {
  private readonly forecasts: KeptForecast[] = [];
  private readonly recorded = new Map<number, number>();
  /** The last figures, until a forecast or a minute comes in: a dashboard may ask often, they change once a minute. */
  private figures: ForecastError | null = null;

  constructor(private readonly kept = KEPT_FORECASTS) {}

  /** A forecast made live: `values[h]` is for epoch minute `firstMinute + h`. */
  keep(firstMinute: number, values: readonly number[]): void {
    this.figures = null;
    this.forecasts.push({ firstMinute, values: Float64Array.from(values) });
    if (this.forecasts.length > this.kept) this.forecasts.splice(0, this.forecasts.length - this.kept);
    this.prune();
  }

  /** What a minute turned out to be. */
  observe(minute: number, value: number): void {
    if (Number.isFinite(value)) this.recorded.set(minute, value);
    this.figures = null;
    this.prune();
  }

  error(): ForecastError {
    this.figures ??= this.measure();
    return this.figures;
  }

  private measure(): ForecastError {
    const pairs: { forecast: number; actual: number }[] = [];
    for (const { firstMinute, values } of this.forecasts) {
      values.forEach((forecast, h) => {
        const actual = this.recorded.get(firstMinute + h);
        if (actual !== undefined) pairs.push({ forecast, actual });
      });
    }
    if (pairs.length === 0) return { mape: null, underPeakShare: null, compared: 0 };
    const positive = pairs.filter((p) => p.actual > 0);
    const mape = positive.length === 0 ? null : positive.reduce((sum, p) => sum + Math.abs(p.forecast - p.actual) / p.actual, 0) / positive.length;
    const sorted = pairs.map((p) => p.actual).sort((a, b) => a - b);
    const peakFrom = sorted[Math.min(sorted.length - 1, Math.floor(PEAK_QUANTILE * sorted.length))] as number;
    const peaks = pairs.filter((p) => p.actual >= peakFrom && p.actual > 0);
    const under = peaks.filter((p) => p.forecast < p.actual * (1 - UNDER_TOLERANCE)).length;
    return { mape, underPeakShare: peaks.length === 0 ? null : under / peaks.length, compared: pairs.length };
  }

  /** Recorded minutes no kept forecast covers are of no further use. */
  private prune(): void {
    const oldest = this.forecasts[0]?.firstMinute;
    if (oldest === undefined) return;
    for (const minute of this.recorded.keys()) {
      if (minute < oldest) this.recorded.delete(minute);
      else break;
    }
  }
}
