// Specification of whatIf with the forecast over a history folder written as the store writes it: a patch of
// `forecast: "scale"` learns from the week before the range and raises the count ahead of a daily peak.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applySettingsPatch, defaultSettings } from '../../../electron/contract/settings-schema.js';
import { HistoryCommands } from '../../../electron/core/history/history-commands.js';
import { HistoryStore } from '../../../electron/core/history/history-store.js';
import { writeHistoryFolder } from '../../support/history-files.js';
import { recordedWeek } from '../../support/synthetic-load.js';

const DAY = 86_400_000;
/** 09:30 UTC: half an hour into the day's peak. */
const END = Date.UTC(2026, 0, 12, 9, 30);
const PEAK = Date.UTC(2026, 0, 12, 9, 0);
const rpsAt = (at: number) => ((at % DAY) >= 9 * 3_600_000 && (at % DAY) < 10 * 3_600_000 ? 150 : 20);
const live = applySettingsPatch(defaultSettings, { metric: 'rps-per-replica', scaleUpThreshold: 70, scaleDownThreshold: 30 });

let dir: string;
let store: HistoryStore;
let commands: HistoryCommands;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'scaledeck-forecast-'));
  writeHistoryFolder(dir, recordedWeek({ endMs: END, days: 7, lastDayStepMs: 10_000, rpsAt, replicas: 1 }), END);
  store = new HistoryStore({ dir, clock: { now: () => END, after: () => () => undefined }, flushMs: 0 });
  await store.open();
  commands = new HistoryCommands(store, () => live, () => END);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('whatIf with a forecast patch', () => {
  it('scales ahead of the peak with forecast "scale", and only after it with reactive rules alone', async () => {
    const fromMs = END - 3_600_000;
    const ahead = await commands.whatIf({ patch: { forecast: 'scale', forecastLeadS: 300 }, fromMs });
    const reactive = await commands.whatIf({ patch: {}, fromMs });
    if (!('result' in ahead) || !('result' in reactive)) throw new Error('what-if failed');
    const firstAt = (series: { at: number; desired: number }[], count: number) => series.find((p) => p.desired >= count)?.at ?? Infinity;
    expect(firstAt(ahead.result.series, 3)).toBeLessThan(PEAK);
    expect(firstAt(ahead.result.series, 3)).toBeGreaterThanOrEqual(PEAK - 6 * 60_000);
    expect(firstAt(reactive.result.series, 2)).toBeGreaterThanOrEqual(PEAK);
    expect(ahead.result.summary.secondsAboveUp).toBeLessThan(reactive.result.summary.secondsAboveUp);
    expect(ahead.result.model).toContain('The forecast is made once a minute from the history before that minute');
  });

  it('refuses a bad forecast patch naming the field', async () => {
    expect(await commands.whatIf({ patch: { forecast: 'always' } })).toMatchObject({ field: 'patch.forecast' });
    expect(await commands.whatIf({ patch: { forecastLeadS: -1 } })).toMatchObject({ field: 'patch.forecastLeadS' });
  });
});
