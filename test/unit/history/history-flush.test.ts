// When history reaches the disk by itself: a short, fixed time after a record is queued, one write per burst, no timer when idle.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Sample } from '../../../electron/contract/contract.js';
import { HistoryStore } from '../../../electron/core/history/history-store.js';
import { FakeClock } from '../../support/fake-clock.js';

const sample = (at: number, replicaCpu: number): Sample => ({
  at, hostCpu: 30, replicaCpu, rps: 100, rpsPerReplica: 50, sessions: 1, queue: 0, http5xx: 0, responseTimeMs: 3, latencyP50Ms: 2, latencyP95Ms: 3, replicaMemory: 20, desired: 2, ready: 2, total: 2,
});

let dir: string;
let clock: FakeClock;
let store: HistoryStore;

/** The records on disk, read straight from the segment files. */
async function linesOnDisk(): Promise<number> {
  let lines = 0;
  for (const name of await readdir(dir)) lines += (await readFile(path.join(dir, name), 'utf8')).split('\n').length - 1;
  return lines;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'scaledeck-history-flush-'));
  clock = new FakeClock();
  store = new HistoryStore({ dir, clock });
  await store.open();
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('HistoryStore with its default flush', () => {
  it('schedules nothing while nothing is queued', async () => {
    await clock.advance(10_000);
    expect(clock.pending).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes a record 250 ms after it was queued, with the records queued meanwhile in the same write', async () => {
    store.appendSample(sample(clock.now(), 1));
    await clock.advance(100);
    store.appendSample(sample(clock.now(), 2));
    store.appendEvent({ at: clock.now(), kind: 'scale', message: '2 -> 3' });
    expect(clock.pending).toBe(1);
    await clock.advance(149);
    expect(clock.pending).toBe(1);
    expect(await readdir(dir)).toEqual([]);

    await clock.advance(1);
    expect(clock.pending).toBe(0);
    await vi.waitFor(async () => expect(await linesOnDisk()).toBe(3));
  });

  it('starts a new wait for a record queued after the write, and stops scheduling once closed', async () => {
    store.appendSample(sample(clock.now(), 1));
    await clock.advance(250);
    store.appendSample(sample(clock.now(), 2));
    expect(clock.pending).toBe(1);
    await store.close();
    expect(clock.pending).toBe(0);
    expect(await linesOnDisk()).toBe(2);
    store.appendSample(sample(clock.now(), 3));
    expect(clock.pending).toBe(0);
  });
});
