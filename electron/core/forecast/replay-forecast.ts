// The forecast inside a what-if replay: at each moment, the forecast as it would have been made then, from the
// history before it (made once per minute, as live), so a person sees what `scale` mode would have done.
import type { Settings } from '../../contract/settings-schema.js';
import { forecastFloor, type ForecastCurves, type ForecastFloor } from './forecast-scale.js';
import { HORIZON_MINUTES, MIN_HISTORY_MINUTES, seasonalForecast, WEEK_MINUTES } from './forecaster.js';
import { loadKindOf, minuteOf, MinuteSeries, type LoadKind, type LoadSample } from './minute-series.js';

export class ReplayForecast {
  private readonly series = new Map<LoadKind, MinuteSeries>();
  private curvesMinute = Number.NaN;
  private curves: ForecastCurves | null = null;

  /** `samples`: the replayed range and up to a week before it, oldest first. */
  constructor(samples: readonly LoadSample[], private readonly settings: Settings, fromMs: number, toMs: number) {
    const firstMinute = minuteOf(fromMs) - WEEK_MINUTES;
    const kinds = new Set(settings.rules.map((rule) => loadKindOf(rule.metric)).filter((kind): kind is LoadKind => kind !== null));
    for (const kind of kinds) this.series.set(kind, MinuteSeries.fromSamples(samples, kind, firstMinute, minuteOf(toMs) + 1));
  }

  /** The floor `scale` mode would have put under the count at `at`. */
  floorAt(at: number): ForecastFloor | null {
    const minute = minuteOf(at);
    if (minute !== this.curvesMinute) {
      this.curvesMinute = minute;
      this.curves = this.forecastFrom(minute);
    }
    return this.curves && forecastFloor(this.curves, this.settings, at);
  }

  private forecastFrom(origin: number): ForecastCurves | null {
    const byKind: ForecastCurves['byKind'] = {};
    let any = false;
    for (const [kind, series] of this.series) {
      const index = origin - series.firstMinute;
      const first = series.firstRecorded();
      if (first === -1 || index - first < MIN_HISTORY_MINUTES) continue;
      byKind[kind] = seasonalForecast(series, index, HORIZON_MINUTES).values;
      any = true;
    }
    return any ? { firstMinute: origin, byKind } : null;
  }
}
