// Specification of getHistory and whatIf over a store holding a recorded run.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryCommands } from '../../../electron/core/history/history-commands.js';
import { HistoryStore } from '../../../electron/core/history/history-store.js';
import { defaultSettings } from '../../../electron/contract/settings-schema.js';
import { loadStep, recordLiveRun } from '../policy/recorded-run.js';
import { T0 } from '../policy/simulated-clock.js';

let dir: string;
let store: HistoryStore;
let commands: HistoryCommands;
const END = T0 + 900_000;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'scaledeck-whatif-'));
  store = new HistoryStore({ dir, clock: { now: () => END, after: () => () => undefined }, flushMs: 0 });
  await store.open();
  const { samples } = recordLiveRun({ settings: defaultSettings, load: loadStep(80, 420, 120, 420), seconds: 900, initial: 2 });
  for (const sample of samples) store.appendSample(sample);
  commands = new HistoryCommands(store, () => defaultSettings, () => END);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('whatIf', () => {
  it('rejects a bad patch with the settings validation, naming the field under patch', async () => {
    expect(await commands.whatIf({ patch: { scaleUpThreshold: 20 } })).toEqual({
      error: 'patch.scaleDownThreshold: must be below scaleUpThreshold (20)', field: 'patch.scaleDownThreshold',
    });
    expect(await commands.whatIf({ patch: { cooldown: 5 } })).toMatchObject({ field: 'patch.cooldown' });
  });

  it('replays the last hour by default: the record with unchanged settings costs what the live run cost', async () => {
    const answer = await commands.whatIf({ patch: {} });
    if (!('result' in answer)) throw new Error(answer.error);
    expect(answer.result.series).toHaveLength(900);
    expect(answer.result.summary).toEqual(answer.result.actual);
    expect(answer.result.model).toMatch(/measured/);
  });

  it('prices lower thresholds over a chosen range', async () => {
    const answer = await commands.whatIf({ patch: { scaleUpThreshold: 40, scaleDownThreshold: 15 }, fromMs: T0, toMs: END });
    if (!('result' in answer)) throw new Error(answer.error);
    expect(answer.result.summary.replicaSeconds).toBeGreaterThan(answer.result.actual.replicaSeconds);
  });
});

describe('whatIf with schedules and pauses', () => {
  // The record runs from 22:13:20 UTC for 15 minutes; this window opens at 22:20 for 5 minutes.
  const window = { name: 'evening', cron: '20 22 * * *', durationMin: 5, minReplicas: 8, timezone: 'UTC' };

  it('replays a patched window: the count is at least its min while it is open, and not before', async () => {
    const answer = await commands.whatIf({ patch: { schedules: [window] }, fromMs: T0, toMs: END });
    if (!('result' in answer)) throw new Error(answer.error);
    const opensAt = Date.parse('2023-11-14T22:20:00Z');
    const during = answer.result.series.filter((p) => p.at >= opensAt && p.at < opensAt + 300_000);
    expect(during.length).toBeGreaterThan(0);
    expect(Math.min(...during.map((p) => p.desired))).toBeGreaterThanOrEqual(8);
    expect(Math.max(...answer.result.series.filter((p) => p.at < opensAt).map((p) => p.desired))).toBeLessThan(8);
    expect(answer.result.summary.peakReplicas).toBe(8);
  });

  it('replays a pause: with scale-out paused the count never rises above where it started', async () => {
    const answer = await commands.whatIf({ patch: { pauseScaleOut: true }, fromMs: T0, toMs: END });
    if (!('result' in answer)) throw new Error(answer.error);
    expect(answer.result.actual.peakReplicas).toBeGreaterThan(2);
    expect(answer.result.summary.peakReplicas).toBe(2);
  });

  it('refuses to replay windows that change so often the replay would hold the process, naming patch.schedules', async () => {
    const everyMinute = Array.from({ length: 8 }, (_, i) => ({ name: `m${i}`, cron: '* * * * *', durationMin: 1, minReplicas: 2, timezone: 'UTC' }));
    // Over the store's 15 minutes the windows make 120 edges: replayed.
    const day = await commands.whatIf({ patch: { schedules: everyMinute }, fromMs: T0, toMs: END });
    expect('result' in day).toBe(true);
    const long = new HistoryCommands(store, () => defaultSettings, () => END);
    // Over a day of one-minute records before it they make 11 520: refused.
    const [template] = await store.samples(T0, T0 + 1000);
    for (let i = 0; i < 24 * 60; i++) store.appendSample({ ...template!, at: T0 - 86_400_000 + i * 60_000 });
    const answer = await long.whatIf({ patch: { schedules: everyMinute }, fromMs: T0 - 86_400_000, toMs: END });
    expect(answer).toMatchObject({ field: 'patch.schedules' });
    expect('error' in answer && answer.error).toMatch(/^patch\.schedules: the schedule windows change too often/);
  });

  it('refuses a bad window in the patch, naming the field under patch', async () => {
    expect(await commands.whatIf({ patch: { schedules: [{ ...window, cron: '20 22 * *' }] } })).toMatchObject({ field: 'patch.schedules.0.cron' });
  });
});

describe('getHistory', () => {
  it('answers the last hour by default and an empty list for a range with nothing recorded', async () => {
    const recent = await commands.getHistory();
    expect('result' in recent && recent.result.length).toBe(900);
    expect(await commands.getHistory({ fromMs: 0, toMs: 1000 })).toEqual({ result: [] });
  });
});
