// The forecast the charts draw ahead of now: read from the control plane once a minute (it forecasts once a minute),
// never per frame; while one is shown the charts' window reaches past the latest sample to make room for it.
import type { ForecastView, ScaleDeckApi } from '../electron/contract/contract.js';
import type { HistoryFeed } from './history-feed.js';
import { ValueStore } from './value-store.js';

export const FORECAST_READ_MS = 60_000;
/** Runs `tick` every `ms`; returns the function that stops it. */
export type Every = (tick: () => void, ms: number) => () => void;
const everyInterval: Every = (tick, ms) => {
  const timer = setInterval(tick, ms);
  return () => clearInterval(timer);
};

/** The room ahead of now: a quarter of the window, at most the forecast's 2 hours. */
export const aheadFor = (windowS: number): number => Math.min((windowS * 1000) / 4, 2 * 3_600_000);

export class ForecastFeed {
  readonly shown = new ValueStore<ForecastView | null>(null);
  /** Why there is none ("no forecast yet: the history holds 9 h of the 24 h a forecast needs"), or null. */
  readonly absent = new ValueStore<string | null>(null);

  constructor(private readonly api: Pick<ScaleDeckApi, 'getForecast'>) {}

  /** Reads now and once a minute, and sizes `feed`'s room ahead to what is shown; returns the function that stops. */
  start(feed: HistoryFeed, every: Every = everyInterval): () => void {
    let alive = true;
    const read = () => {
      void this.api.getForecast().then((answer) => {
        if (!alive) return;
        this.shown.set('result' in answer ? answer.result : null);
        this.absent.set('result' in answer ? null : answer.error);
      });
    };
    const fit = () => feed.setAhead(this.shown.get() ? aheadFor(feed.windowS.get()) : 0);
    const unsubscribe = [this.shown.subscribe(fit), feed.windowS.subscribe(fit)];
    read();
    const stopReading = every(read, FORECAST_READ_MS);
    return () => {
      alive = false;
      stopReading();
      unsubscribe.forEach((stop) => stop());
      this.shown.set(null);
      feed.setAhead(0);
    };
  }
}
