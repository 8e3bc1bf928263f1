// The contract's history commands over the store: getHistory for charts, whatIf replaying the policy on the record.
import type { HistoryInput, Result, Sample, WhatIfInput, WhatIfResult } from '../../contract/contract.js';
import { replay } from '../policy/replay.js';
import { CronBudgetError } from '../schedule/schedule-timeline.js';
import { applySettingsPatch, SettingsError, type Settings } from '../../contract/settings-schema.js';
import { downsamplePoints } from './downsample.js';
import { RETENTION_MS, type HistoryStore } from './history-store.js';
import { ReplayForecast } from '../forecast/replay-forecast.js';

const DEFAULT_RANGE_MS = 3_600_000;

function range(input: { fromMs?: number; toMs?: number } | undefined, now: number): { fromMs: number; toMs: number } {
  const toMs = input?.toMs ?? now;
  return { fromMs: input?.fromMs ?? Math.max(0, toMs - DEFAULT_RANGE_MS), toMs };
}

export class HistoryCommands {
  constructor(
    private readonly store: HistoryStore,
    private readonly live: () => Settings,
    private readonly now: () => number = Date.now,
  ) {}

  async getHistory(input?: HistoryInput): Promise<Result<Sample[]>> {
    const { fromMs, toMs } = range(input, this.now());
    return { result: await this.store.history(fromMs, toMs) };
  }

  async whatIf(input: WhatIfInput): Promise<Result<WhatIfResult>> {
    const live = this.live();
    let settings: Settings;
    try {
      settings = applySettingsPatch(live, input.patch);
    } catch (error) {
      if (error instanceof SettingsError) return { error: `patch.${error.message}`, field: `patch.${error.field}` };
      throw error;
    }
    const { fromMs, toMs } = range(input, this.now());
    let result: WhatIfResult;
    try {
      if (settings.forecast !== 'scale') {
        result = replay({ samples: await this.store.samples(fromMs, toMs), live, settings });
      } else {
        // The forecast at each moment learns from the week before it: read once, replay only the asked range.
        const withWeek = await this.store.samples(fromMs - RETENTION_MS, toMs);
        const forecast = new ReplayForecast(withWeek, settings, fromMs, toMs);
        const replayed = replay({ samples: withWeek.filter((s) => s.at >= fromMs), live, settings, forecastFloor: (at) => forecast.floorAt(at) });
        result = { ...replayed, model: `${replayed.model} The forecast is made once a minute from the history before that minute, as live; with less than 24 h before it, none.` };
      }
    } catch (error) {
      if (!(error instanceof CronBudgetError)) throw error;
      const field = 'schedules' in input.patch ? 'patch.schedules' : 'schedules';
      return { error: `${field}: ${error.message} over this range; replay a shorter range`, field };
    }
    return { result: { ...result, series: downsamplePoints(result.series, ['desired', 'ready', 'metric']) } };
  }
}
