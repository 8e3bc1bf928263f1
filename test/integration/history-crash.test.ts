// The history writer under a real kill -9: a child process appends samples as fast as it can and is killed mid-run;
// what it fsync'd is all there, in order, without a hole, and the store appends cleanly after the crash.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../electron/contract/contract.js';
import { HistoryStore } from '../../electron/core/history/history-store.js';
import { waitFor } from '../support/waiting.js';

const BUILT_STORE = path.resolve('dist/electron/core/history/history-store.js');

/** Appends a sample numbered by replicaCpu every millisecond, flushing every 5 ms, until killed. */
const WRITER = `
const { HistoryStore } = await import(process.argv[1]);
const store = new HistoryStore({ dir: process.argv[2], flushMs: 5 });
await store.open();
let n = 0;
setInterval(() => {
  for (let i = 0; i < 5; i++) {
    const at = Date.now();
    store.appendSample({ at, hostCpu: 1, replicaCpu: n++, rps: 1, rpsPerReplica: 1, sessions: 0, queue: 0, http5xx: 0, responseTimeMs: 1, latencyP50Ms: 1, latencyP95Ms: 1, replicaMemory: 1, desired: 1, ready: 1, total: 1 });
  }
}, 1);
`;

let dir: string | null = null;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

describe('history after kill -9 of the writing process', () => {
  it('keeps every record written before the kill, in order, and appends cleanly afterwards', async () => {
    expect(existsSync(BUILT_STORE), `${BUILT_STORE} is missing: run npm run build`).toBe(true);
    dir = await mkdtemp(path.join(os.tmpdir(), 'scaledeck-crash-'));
    const historyDir = dir;
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, pathToFileURL(BUILT_STORE).href, historyDir], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const linesOnDisk = async () => {
      let lines = 0;
      for (const name of await readdir(historyDir)) lines += (await readFile(path.join(historyDir, name), 'utf8')).split('\n').length - 1;
      return lines;
    };
    await waitFor(async () => (await linesOnDisk()) >= 2000, 20_000, '2000 records on disk');
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const store = new HistoryStore({ dir: historyDir, flushMs: 0 });
    await store.open();
    try {
      const now = Date.now();
      const survived = await store.samples(now - 3_600_000, now);
      expect(survived.length).toBeGreaterThanOrEqual(2000);
      expect(survived.map((s) => s.replicaCpu)).toEqual(survived.map((_s, i) => i));

      const next: Sample = { ...(survived.at(-1) as Sample), at: Date.now(), replicaCpu: -1 };
      store.appendSample(next);
      await store.flush();
      const after = await store.samples(now - 3_600_000, Date.now());
      expect(after).toHaveLength(survived.length + 1);
      expect(after.at(-1)?.replicaCpu).toBe(-1);
    } finally {
      await store.close();
    }
  });
});
