// The data plane outlives the control plane: kill -9 the whole app, traffic keeps flowing, a new app adopts it all.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../electron/contract/contract.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { MIN_LATENCY_SAMPLE } from '../../electron/core/metrics/latency-sampling.js';
import { APP_LABEL, MANAGED_LABEL } from '../../electron/core/replicas/replica-driver.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { freePort, removeLeftoverContainers, waitFor } from '../support/control-plane-fixture.js';
import { call, killShell, startShell, stopShell, type Shell } from '../support/headless-process.js';

function readyIds(snapshot: Pick<Snapshot, 'replicas'>): string[] {
  return snapshot.replicas.filter((r) => r.state === 'ready').map((r) => r.id).sort();
}

/** HAProxy processes serving this data folder (its config path is on their command line). */
function haproxyProcesses(dataDir: string): string[] {
  const pids: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const isHaproxy = readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'haproxy';
      if (isHaproxy && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dataDir)) pids.push(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}


const drivers = [
  { driver: 'docker' as const, needsDocker: true },
  { driver: 'process' as const, needsDocker: false },
];

describe.each(drivers)('kill -9 of the app with the $driver driver', ({ driver, needsDocker }) => {
  const skip = !hasHaproxy() || (needsDocker && !hasDocker());
  const docker = new Dockerode();
  const app = `adopt${Math.random().toString(16).slice(2, 8)}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scaledeck-adopt-'));
  const shells: Shell[] = [];
  let stranger: Dockerode.Container | undefined;

  afterAll(async () => {
    for (const shell of shells) await stopShell(shell);
    await stranger?.remove({ force: true }).catch(() => undefined);
    if (needsDocker) await removeLeftoverContainers(app);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(skip)('keeps serving, and a new app adopts HAProxy and the replicas without touching anything else', async () => {
    const store = new SettingsStore(dataDir);
    store.update({ driver, frontendPort: await freePort(), statsPort: await freePort(), mode: 'manual', minReplicas: 1, maxReplicas: 5 });
    const frontend = `http://127.0.0.1:${store.settings.frontendPort}/`;

    const first = await startShell(dataDir, app);
    shells.push(first);
    expect((await call(first, 'POST', '/api/scale', { replicas: 3 })).status).toBe(200);
    const before = await waitFor(async () => {
      const { json } = await call(first, 'GET', '/api/snapshot');
      return readyIds(json).length === 3 ? json : null;
    }, 60_000, '3 ready replicas');
    const haproxyPid = readFileSync(path.join(dataDir, 'haproxy.pid'), 'utf8').trim();
    const haproxyCount = haproxyProcesses(dataDir).length;
    expect(haproxyCount).toBeGreaterThan(0);

    if (needsDocker) {
      // A container of somebody else's, on the same engine, from the same image: ScaleDeck must never touch it.
      stranger = await docker.createContainer({ Image: 'scaledeck/api:latest', Labels: { 'scaledeck.test': 'true' } });
      await stranger.start();
    }

    await killShell(first);

    // The data plane is on its own: every request still answered, by the same three replicas.
    const hosts = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const response = await fetch(frontend, { signal: AbortSignal.timeout(2000) });
      expect(response.status).toBe(200);
      hosts.add(((await response.json()) as { host: string }).host);
    }
    expect(hosts.size).toBe(3);

    const second = await startShell(dataDir, app);
    shells.push(second);
    const after = await waitFor(async () => {
      const { json } = await call(second, 'GET', '/api/snapshot');
      return readyIds(json).length === 3 ? json : null;
    }, 30_000, 'the new app to adopt 3 ready replicas');
    expect(readyIds(after)).toEqual(readyIds(before));
    expect(after.desired).toBe(3);
    expect(readFileSync(path.join(dataDir, 'haproxy.pid'), 'utf8').trim()).toBe(haproxyPid);
    expect(haproxyProcesses(dataDir).length).toBe(haproxyCount);
    // Give the new controller a few ticks: it must not create, replace or remove anything.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(readyIds((await call(second, 'GET', '/api/snapshot')).json)).toEqual(readyIds(before));

    // The adopted HAProxy still sends its request timings: the new app listens on the port kept in the data folder.
    const p95 = await waitFor(async () => {
      // Enough requests in one interval for a p95 to be given rather than withheld as too few.
      await Promise.all(Array.from({ length: MIN_LATENCY_SAMPLE }, () => fetch(frontend, { signal: AbortSignal.timeout(2000) })));
      const latency = (await call(second, 'GET', '/api/snapshot')).json.sample?.latencyP95Ms;
      return latency === null || latency === undefined ? null : latency;
    }, 15_000, 'a p95 reading through the adopted HAProxy', 200);
    expect(p95).toBeGreaterThanOrEqual(0);

    if (needsDocker) {
      const ours = await docker.listContainers({ all: true, filters: { label: [`${APP_LABEL}=${app}`, `${MANAGED_LABEL}=true`] } });
      expect(ours.map((c) => c.Id).sort()).toEqual(readyIds(before));
      expect((await stranger!.inspect()).State.Running).toBe(true);
    }
  });
});
