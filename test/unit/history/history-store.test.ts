// Specification of the history on disk: survives a restart, skips a torn last record, rolls up, prunes, stays bounded.
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../electron/contract/contract.js';
import { HistoryStore } from '../../../electron/core/history/history-store.js';
import { segmentName } from '../../../electron/core/history/segment-files.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 29, 12, 30);

function sample(at: number, replicaCpu = 50, desired = 2): Sample {
  return { at, hostCpu: 30, replicaCpu, rps: 100, rpsPerReplica: 50, sessions: 1, queue: 0, http5xx: 0, responseTimeMs: 3, latencyP50Ms: 2, latencyP95Ms: 3, replicaMemory: 20, desired, ready: desired, total: desired };
}

let dir: string;
let clock: number;
const stores: HistoryStore[] = [];

async function openStore(maxBytes?: number): Promise<HistoryStore> {
  const store = new HistoryStore({ dir, clock: { now: () => clock, after: () => () => undefined }, flushMs: 0, maxBytes });
  await store.open();
  stores.push(store);
  return store;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'scaledeck-history-'));
  clock = NOW;
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('HistoryStore', () => {
  it('returns after a restart the samples and events written before it', async () => {
    const before = await openStore();
    for (let i = 0; i < 120; i++) before.appendSample(sample(NOW - 120_000 + i * 1000, i));
    before.appendEvent({ at: NOW - 5000, kind: 'scale', message: '2 -> 3: replica CPU 86% > 70% for 3 samples' });
    await before.close();
    stores.length = 0;

    const after = await openStore();
    const samples = await after.samples(NOW - HOUR, NOW);
    expect(samples).toHaveLength(120);
    expect(samples[0]).toEqual(sample(NOW - 120_000, 0));
    expect(samples.at(-1)?.replicaCpu).toBe(119);
    expect(await after.events(NOW - HOUR, NOW)).toEqual([{ at: NOW - 5000, kind: 'scale', message: '2 -> 3: replica CPU 86% > 70% for 3 samples' }]);
  });

  it('only queues on append: the disk is touched by the next flush, off the sampling path', async () => {
    const store = await openStore();
    store.appendSample(sample(NOW));
    expect(await readdir(dir)).toEqual([]);
    await store.flush();
    expect(await readdir(dir)).toEqual([segmentName('samples', NOW - (NOW % HOUR))]);
  });

  it('skips a torn last record after a kill -9, loses nothing before it, and appends cleanly after it', async () => {
    const store = await openStore();
    for (let i = 0; i < 10; i++) store.appendSample(sample(NOW - 10_000 + i * 1000, i));
    await store.flush();
    const file = path.join(dir, segmentName('samples', NOW - (NOW % HOUR)));
    // What a write cut short by kill -9 leaves: part of a record, no newline.
    await appendFile(file, '{"at":1764419390000,"hostCpu":3');
    await store.close();
    stores.length = 0;

    const restarted = await openStore();
    expect((await restarted.samples(NOW - HOUR, NOW)).map((s) => s.replicaCpu)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    restarted.appendSample(sample(NOW, 99));
    await restarted.flush();
    expect((await restarted.samples(NOW - HOUR, NOW)).map((s) => s.replicaCpu)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 99]);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.every((line) => JSON.parse(line) !== null)).toBe(true);
  });

  it('keeps 1 s resolution for a day, then one record per minute with its minimum, maximum and mean', async () => {
    const store = await openStore();
    const start = NOW - 30 * HOUR - (NOW % HOUR);
    for (let i = 0; i < 600; i++) store.appendSample(sample(start + i * 1000, i === 90 ? 100 : 40));
    for (let i = 0; i < 60; i++) store.appendSample(sample(NOW - 60_000 + i * 1000));
    await store.flush();
    await store.close();
    stores.length = 0;

    const later = await openStore();
    const files = await readdir(dir);
    expect(files).toContain(segmentName('minutes', start));
    expect(files).not.toContain(segmentName('samples', start));
    const old = await later.samples(start, start + HOUR);
    expect(old).toHaveLength(10);
    expect(old[1]?.replicaCpu).toBeCloseTo(40 + 60 / 60, 6);
    const chart = await later.history(start, start + HOUR);
    expect(Math.max(...chart.map((s) => s.replicaCpu ?? 0))).toBe(100);
    expect(await later.samples(NOW - HOUR, NOW)).toHaveLength(60);
  });

  it('drops what is older than 7 days, and the oldest segments past the size bound', async () => {
    const store = await openStore();
    store.appendSample(sample(NOW - 8 * 24 * HOUR));
    store.appendSample(sample(NOW - 3 * HOUR));
    for (let i = 0; i < 50; i++) store.appendSample(sample(NOW - 2 * HOUR + i * 1000));
    store.appendSample(sample(NOW));
    await store.close();
    stores.length = 0;
    clock = NOW + 1;

    const reopened = await openStore();
    expect(await reopened.samples(NOW - 9 * 24 * HOUR, NOW - 7 * 24 * HOUR)).toEqual([]);
    expect(await reopened.samples(NOW - 4 * HOUR, NOW)).toHaveLength(52);
    await reopened.close();
    stores.length = 0;

    // A bound smaller than the two older hours: they go, oldest first, and the current hour stays.
    const bounded = await openStore(1000);
    const left = await bounded.samples(NOW - 4 * HOUR, NOW);
    expect(left.map((s) => s.at)).toEqual([NOW]);
  });

  it('serves any range in at most 2000 points, with each bucket\'s peak kept', async () => {
    const store = await openStore();
    for (let i = 0; i < 7200; i++) store.appendSample(sample(NOW - 7200_000 + i * 1000, i === 4321 ? 97 : 20 + (i % 7)));
    const chart = await store.history(NOW - 2 * HOUR, NOW);
    expect(chart.length).toBeLessThanOrEqual(2000);
    expect(chart.length).toBeGreaterThan(1000);
    expect(Math.max(...chart.map((s) => s.replicaCpu ?? 0))).toBe(97);
    expect(Math.min(...chart.map((s) => s.replicaCpu ?? 100))).toBe(20);
    expect(chart.every((s, i) => i === 0 || s.at >= chart[i - 1]!.at)).toBe(true);
  });
});

describe('HistoryStore reads', () => {
  it('include what is queued but not yet written, without writing it', async () => {
    const store = await openStore();
    store.appendSample(sample(NOW - 1000, 1));
    await store.flush();
    store.appendSample(sample(NOW, 2));
    store.appendEvent({ at: NOW, kind: 'hold', message: 'held 3 s: scale-down cooldown 30 s, 27 s left' });
    expect((await store.samples(NOW - HOUR, NOW)).map((s) => s.replicaCpu)).toEqual([1, 2]);
    expect(await store.events(NOW - HOUR, NOW)).toHaveLength(1);
    const file = path.join(dir, segmentName('samples', NOW - (NOW % HOUR)));
    expect((await readFile(file, 'utf8')).trimEnd().split('\n')).toHaveLength(1);
  });
});
