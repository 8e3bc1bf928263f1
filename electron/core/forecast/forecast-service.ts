// The live forecast: learns the minutes of load from history once and then from each sample, forecasts again once a
// minute (never per sample or per frame), keeps each forecast to measure its error, and answers getForecast and the
// floor that `scale` mode puts under the count.
import type { ForecastView, Result } from '../../contract/contract.js';
import type { Settings } from '../../contract/settings-schema.js';
import { ForecastLog } from './forecast-error.js';
import { forecastFloor, forecastReplicas, type ForecastCurves, type ForecastFloor } from './forecast-scale.js';
import { HORIZON_MINUTES, MIN_HISTORY_MINUTES, seasonalForecast, WEEK_MINUTES, type ForecastCurve } from './forecaster.js';
import { loadKindOf, MINUTE_MS, minuteOf, MinuteSeries, totalWork, type LoadKind, type LoadSample } from './minute-series.js';

const KINDS: readonly LoadKind[] = ['rps', 'cpu'];

interface Made {
  madeAt: number;
  curves: ForecastCurves;
  /** The curve per kind, with its band. */
  byKind: Partial<Record<LoadKind, ForecastCurve>>;
  basedOnMinutes: number;
}

/** One minute's running mean per kind. */
class MinuteAccumulator {
  readonly sums = new Map<LoadKind, { sum: number; count: number }>();
  constructor(readonly minute: number) {}
  add(sample: LoadSample): void {
    for (const kind of KINDS) {
      const work = totalWork(sample, kind);
      if (work === null) continue;
      const entry = this.sums.get(kind) ?? { sum: 0, count: 0 };
      entry.sum += work;
      entry.count += 1;
      this.sums.set(kind, entry);
    }
  }
}

export class ForecastService {
  /** Per kind: epoch minute -> mean total work, at most a week (plus the minute forecast from). */
  private readonly minutes = new Map<LoadKind, Map<number, number>>(KINDS.map((kind) => [kind, new Map()]));
  private readonly logs = new Map<LoadKind, ForecastLog>(KINDS.map((kind) => [kind, new ForecastLog()]));
  private current: MinuteAccumulator | null = null;
  /** The newest minute kept, learnt or live. */
  private newest = Number.NEGATIVE_INFINITY;
  private made: Made | null = null;

  constructor(
    private readonly settings: () => Settings,
    /** Told when the first forecast is made, so the snapshot saying one is available goes out. */
    private readonly onFirstForecast: () => void = () => undefined,
  ) {}

  /** For the snapshot: whether view() has a forecast to give, else why not. */
  status(): { available: boolean; reason: string | null } {
    const reason = this.absence();
    return { available: reason === null, reason };
  }

  /** Why there is no forecast to give, or null when there is one. */
  private absence(): string | null {
    if (this.settings().forecast === 'off') return 'forecast is off: set forecast to "show" or "scale"';
    if (this.made) return null;
    const end = Math.max(this.current?.minute ?? Number.NEGATIVE_INFINITY, this.newest + 1);
    return `no forecast yet: the history holds ${Math.floor(this.historyMinutes(end) / 60)} h of the 24 h a forecast needs`;
  }

  /**
   * The history (raw samples and rolled-up minute means alike), read while live samples may already arrive: it fills
   * the minutes before the first live one, then one forecast is made from now. Forecasts for the past are not made:
   * only those made live are measured.
   */
  learn(samples: readonly LoadSample[], now: number): void {
    const before = this.current?.minute ?? minuteOf(now);
    const grouped = new Map<number, MinuteAccumulator>();
    for (const sample of samples) {
      const minute = minuteOf(sample.at);
      if (minute >= before) continue;
      const accumulator = grouped.get(minute) ?? new MinuteAccumulator(minute);
      accumulator.add(sample);
      grouped.set(minute, accumulator);
    }
    for (const accumulator of grouped.values()) this.close(accumulator);
    // Pruning walks each map oldest first: keep the insertion order the minutes' order.
    for (const kind of KINDS) {
      const sorted = [...this.series(kind)].sort(([a], [b]) => a - b);
      this.minutes.set(kind, new Map(sorted));
    }
    if (this.settings().forecast !== 'off') this.forecastFrom(before);
  }

  /** Each live sample; a minute that ends is kept, compared with the forecasts made for it, and a new forecast is made. */
  onSample(sample: LoadSample): void {
    const minute = minuteOf(sample.at);
    if (this.current && minute < this.current.minute) return;
    if (this.current && minute > this.current.minute) {
      this.close(this.current);
      this.current = null;
      if (this.settings().forecast !== 'off') this.forecastFrom(minute);
    }
    this.current ??= new MinuteAccumulator(minute);
    this.current.add(sample);
  }

  /** The floor `scale` mode puts under the count at `now`; null in other modes or without a forecast. */
  floor(now: number): ForecastFloor | null {
    const settings = this.settings();
    if (settings.forecast !== 'scale' || !this.made) return null;
    return forecastFloor(this.made.curves, settings, now);
  }

  view(): Result<ForecastView> {
    const settings = this.settings();
    const absence = this.absence();
    if (absence !== null || !this.made) return { error: absence ?? 'no forecast yet', notFound: true };
    const metric = settings.rules.map((rule) => rule.metric).find((m): m is 'rps-per-replica' | 'replica-cpu' => loadKindOf(m) !== null) ?? 'rps';
    const kind = loadKindOf(metric === 'rps' ? 'rps-per-replica' : metric) as LoadKind;
    const { made } = this;
    const curve = made.byKind[kind];
    const points = (curve?.values ?? []).map((value, h) => ({
      at: (made.curves.firstMinute + h) * MINUTE_MS,
      value,
      ...(curve?.low && curve.high ? { low: curve.low[h] as number, high: curve.high[h] as number } : {}),
    }));
    return {
      result: {
        metric,
        points,
        replicas: forecastReplicas(made.curves, settings),
        basedOnHours: Math.round((made.basedOnMinutes / 60) * 10) / 10,
        madeAt: made.madeAt,
        error: this.log(kind).error(),
      },
    };
  }

  private series(kind: LoadKind): Map<number, number> {
    return this.minutes.get(kind) as Map<number, number>;
  }

  private log(kind: LoadKind): ForecastLog {
    return this.logs.get(kind) as ForecastLog;
  }

  private close(accumulator: MinuteAccumulator): void {
    for (const [kind, { sum, count }] of accumulator.sums) {
      const value = sum / count;
      this.series(kind).set(accumulator.minute, value);
      this.log(kind).observe(accumulator.minute, value);
    }
    this.newest = Math.max(this.newest, accumulator.minute);
    const newest = Math.max(this.newest, this.current?.minute ?? this.newest);
    for (const series of this.minutes.values()) {
      for (const minute of series.keys()) {
        if (minute >= newest - WEEK_MINUTES) break;
        series.delete(minute);
      }
    }
  }

  /** Minutes from the first recorded one to `end` (an epoch minute), over every kind. */
  private historyMinutes(end: number): number {
    const firsts = [...this.minutes.values()].map((series) => series.keys().next().value).filter((m): m is number => m !== undefined);
    return firsts.length === 0 || !Number.isFinite(end) ? 0 : Math.max(0, end - Math.min(...firsts));
  }

  /** Forecasts from the minutes before `origin` (an epoch minute), once a day of history is there. */
  private forecastFrom(origin: number): void {
    const basedOnMinutes = this.historyMinutes(origin);
    if (basedOnMinutes < MIN_HISTORY_MINUTES) return;
    const firstMinute = origin - WEEK_MINUTES;
    const byKind: Made['byKind'] = {};
    const values: ForecastCurves['byKind'] = {};
    for (const kind of KINDS) {
      const recorded = this.series(kind);
      if (recorded.size === 0) continue;
      const series = new Float64Array(WEEK_MINUTES).fill(Number.NaN);
      for (const [minute, value] of recorded) if (minute >= firstMinute && minute < origin) series[minute - firstMinute] = value;
      const curve = seasonalForecast(new MinuteSeries(firstMinute, series), WEEK_MINUTES, HORIZON_MINUTES);
      byKind[kind] = curve;
      values[kind] = curve.values;
      this.log(kind).keep(origin, curve.values);
    }
    const first = this.made === null;
    this.made = { madeAt: origin * MINUTE_MS, curves: { firstMinute: origin, byKind: values }, byKind, basedOnMinutes };
    if (first) this.onFirstForecast();
  }
}
