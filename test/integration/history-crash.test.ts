// History under a real kill -9: of a child process appending as fast as it can (what it fsync'd is all there, in
// order), and of the running app at its default flush (it loses at most the last second of samples and events).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlEvent, Sample } from '../../electron/contract/contract.js';
import { HistoryStore } from '../../electron/core/history/history-store.js';
import { listSegments, readRecords } from '../../electron/core/history/segment-files.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { call, killShell, startShell, stopShell, type Shell } from '../support/headless-process.js';
import { hasHaproxy } from '../support/requirements.js';
import { recordStream } from '../support/shell-stream.js';
import { freePort, sleep, waitFor } from '../support/waiting.js';

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

/** Every sample and event in the history folder, read straight from its segment files. */
async function recordsOnDisk(historyDir: string): Promise<{ samples: Sample[]; events: ControlEvent[] }> {
  const samples: Sample[] = [];
  const events: ControlEvent[] = [];
  for (const segment of await listSegments(historyDir)) {
    if (segment.kind === 'samples') samples.push(...(await readRecords<Sample>(segment.file)).records);
    if (segment.kind === 'events') events.push(...(await readRecords<ControlEvent>(segment.file)).records);
  }
  return { samples, events };
}

describe.skipIf(!hasHaproxy())('history after kill -9 of the running app', () => {
  const shells: Shell[] = [];
  let dataDir: string | null = null;

  afterEach(async () => {
    for (const shell of shells.splice(0)) await stopShell(shell);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    dataDir = null;
  });

  it('keeps on disk every sample and event it published up to a second before the kill, at its default flush', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'scaledeck-app-crash-'));
    const store = new SettingsStore(dataDir);
    store.update({ driver: 'process', frontendPort: await freePort(), statsPort: await freePort(), mode: 'manual', minReplicas: 1, maxReplicas: 3 });
    expect(store.settings.sampleIntervalMs).toBe(1000);
    const app = `histcrash${Math.random().toString(16).slice(2, 8)}`;
    const first = await startShell(dataDir, app);
    shells.push(first);
    const published = await recordStream(first);
    await waitFor(() => published.samples.length >= 5, 30_000, '5 published samples');

    // Settings changes all along, so events of every age are in flight. The kill lands at the first moment a record
    // published more than a second ago is not on disk yet (the worst moment a crash could pick), or after 5 s.
    let killing = false;
    let churnError: unknown = null;
    const churn = (async () => {
      for (let threshold = 70; !killing; threshold = threshold === 70 ? 71 : 70) {
        try {
          const { status } = await call(first, 'PATCH', '/api/settings', { scaleUpThreshold: threshold });
          if (status !== 200) throw new Error(`PATCH /api/settings answered ${status}`);
        } catch (error) {
          // The kill cuts the request in flight; a failure before it is the test's.
          if (!killing) churnError = error;
          return;
        }
        await sleep(100);
      }
    })();
    const historyDir = path.join(dataDir, 'history');
    const end = Date.now() + 5000;
    let overdue: string | null = null;
    let worstLagMs = 0;
    while (Date.now() < end && overdue === null) {
      const now = Date.now();
      const onDisk = await recordsOnDisk(historyDir);
      const times = new Set([...onDisk.samples, ...onDisk.events].map((r) => r.at));
      const unwritten = [...published.samples, ...published.events].filter((r) => !times.has(r.at));
      worstLagMs = Math.max(worstLagMs, ...unwritten.map((r) => now - r.at));
      const missing = unwritten.find((r) => r.at <= now - 1000);
      if (missing) overdue = `a record of ${now - missing.at} ms ago was not on disk`;
      else await sleep(20);
    }
    killing = true;
    const killedAt = Date.now();
    await killShell(first);
    await churn;
    expect(churnError).toBeNull();
    published.close();
    const covered = killedAt - 1000;

    const second = await startShell(dataDir, app);
    shells.push(second);
    const onDisk = await recordsOnDisk(historyDir);
    const sampleTimes = new Set(onDisk.samples.map((s) => s.at));
    const eventKeys = new Set(onDisk.events.map((e) => `${e.at} ${e.message}`));

    const dueSamples = published.samples.filter((s) => s.at <= covered);
    const dueEvents = published.events.filter((e) => e.at <= covered);
    // Not vacuous: the last second before the covered instant holds a sample and several events.
    expect(dueSamples.some((s) => s.at > covered - 1000)).toBe(true);
    expect(dueEvents.filter((e) => e.at > covered - 1000).length).toBeGreaterThanOrEqual(3);

    const lostSamples = dueSamples.filter((s) => !sampleTimes.has(s.at));
    const lostEvents = dueEvents.filter((e) => !eventKeys.has(`${e.at} ${e.message}`));
    const unwritten = [...published.samples.filter((s) => !sampleTimes.has(s.at)), ...published.events.filter((e) => !eventKeys.has(`${e.at} ${e.message}`))];
    const oldestUnwritten = Math.min(killedAt, ...unwritten.map((r) => r.at));
    console.log(`[history-crash] ${published.samples.length} samples and ${published.events.length} events published; a record waited at most ${worstLagMs} ms for the disk; killed ${overdue ? `when ${overdue}` : 'after 5 s'}; the kill lost the last ${killedAt - oldestUnwritten} ms (${unwritten.length} records)`);
    expect(lostSamples.map((s) => s.at)).toEqual([]);
    expect(lostEvents.map((e) => `${e.at} ${e.message}`)).toEqual([]);
  });
});
