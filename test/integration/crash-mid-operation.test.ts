// kill -9 of the running app in the middle of a scale-in, a rollout and a hitless HAProxy reload, then a restart on the
// same data folder, all under bounded load: no request fails, the operation finishes, and nothing is left untracked.
import { watch } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../electron/contract/contract.js';
import { startCrashApp, type CrashApp } from '../support/crash-app.js';
import { finishLoads, freePort, runLoad, waitFor, type LoadRun } from '../support/control-plane-fixture.js';
import { call } from '../support/headless-process.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { sleep } from '../support/waiting.js';

/** GET / and POST /echo with 64 KiB bodies (not replayable by HAProxy's retries) side by side. */
function loadBoth(frontend: string, durationS: number): LoadRun[] {
  return [
    runLoad({ url: new URL('/', frontend).toString(), rate: 60, durationS }),
    runLoad({ url: new URL('/echo', frontend).toString(), rate: 20, durationS, method: 'POST', body: Buffer.alloc(64 * 1024, 'x') }),
  ];
}

const ready = (snapshot: Snapshot) => snapshot.replicas.filter((r) => r.state === 'ready').length;
const sorted = (values: string[]) => [...values].sort();

/**
 * The app tracks exactly `count` ready replicas, each one a server in HAProxy in rotation, and (with Docker) each one a
 * running container with the app's label; no other server or container is left.
 */
async function trackedAndServing(crash: CrashApp, count: number, withContainers: boolean) {
  const snapshot = await crash.snapshot();
  const servers = await crash.servers();
  const containers = withContainers ? await crash.containers() : [];
  return {
    replicas: snapshot.replicas.map((r) => `${r.name} ${r.state}`).sort(),
    servers: servers.map((s) => `${s.name} ${s.drain || s.maint ? 'out of rotation' : 'in rotation'}`).sort(),
    containers: withContainers ? sorted(containers.map((c) => `${c.Id} ${c.State}`)) : [],
    expected: {
      replicas: snapshot.replicas.map((r) => `${r.name} ready`).sort(),
      servers: snapshot.replicas.map((r) => `${r.name} in rotation`).sort(),
      containers: withContainers ? sorted(snapshot.replicas.map((r) => `${r.id} running`)) : [],
    },
    count: snapshot.replicas.length,
    snapshot,
    done(): boolean {
      return this.count === count && JSON.stringify([this.replicas, this.servers, this.containers]) === JSON.stringify([this.expected.replicas, this.expected.servers, this.expected.containers]);
    },
  };
}

async function expectConverged(crash: CrashApp, count: number, withContainers: boolean, what: string, extra: (s: Snapshot) => boolean = () => true) {
  const state = await waitFor(async () => {
    const now = await trackedAndServing(crash, count, withContainers);
    return now.done() && extra(now.snapshot) ? now : null;
  }, 120_000, what, 250);
  expect(state.count).toBe(count);
  expect(state.servers).toEqual(state.expected.servers);
  expect(state.containers).toEqual(state.expected.containers);
  return state.snapshot;
}

const NO_FAILURES = { get: [0, 0], post: [0, 0] };

describe.skipIf(!hasHaproxy() || !hasDocker())('kill -9 of the app in the middle of an operation on Docker replicas', () => {
  let crash: CrashApp | undefined;
  afterEach(async () => {
    await crash?.dispose();
    crash = undefined;
  });

  it('finishes a scale-in 3 -> 1 cut while replicas leave, with no request lost and no orphan container', async () => {
    crash = await startCrashApp({ driver: 'docker', drainTimeoutS: 10 }, 3);
    const app = crash;
    await waitFor(async () => ready(await app.snapshot()) === 3, 90_000, '3 ready replicas', 250);
    const loads = loadBoth(app.frontend, 45);
    await sleep(2000);

    expect((await call(app.shell, 'POST', '/api/scale', { replicas: 1 })).status).toBe(200);
    // Mid scale-in: a server out of rotation (drain, then maint), or already deleted while its container still stops.
    const draining = await waitFor(async () => {
      const servers = await app.servers();
      const leaving = servers.find((s) => s.drain || s.maint);
      if (leaving) return `${leaving.name} was ${leaving.drain ? 'draining' : 'in maintenance'}`;
      return servers.length < 3 && (await app.containers()).length === 3 ? 'a server was deleted and its container still stopped' : null;
    }, 30_000, 'a replica on its way out', 5);
    await app.kill();
    const atKill = { containers: (await app.containers()).length, servers: (await app.servers()).map((s) => `${s.name}${s.drain ? ' (drain)' : s.maint ? ' (maint)' : ''}`) };

    await app.restart();
    const after = await expectConverged(app, 1, true, 'one replica tracked, serving and in HAProxy, and nothing else');
    expect(after.desired).toBe(1);
    expect(loads.every((l) => !l.progress().finished)).toBe(true);
    const { get, post } = await finishLoads(loads, `kill -9 mid scale-in (killed when ${draining}; ${atKill.containers} containers, servers ${atKill.servers.join(', ')})`);
    expect(atKill.containers).toBeGreaterThan(1);
    expect(get.requests).toBeGreaterThan(1000);
    expect({ get: [get.non2xx, get.errors], post: [post.non2xx, post.errors] }).toEqual(NO_FAILURES);
  }, 240_000);

  it('finishes a rollout cut while its first new replica starts, with no request lost and no orphan container', async () => {
    crash = await startCrashApp({ driver: 'docker', drainTimeoutS: 10 }, 2);
    const app = crash;
    await waitFor(async () => ready(await app.snapshot()) === 2, 90_000, '2 ready replicas', 250);
    const before = new Set((await app.snapshot()).replicas.map((r) => r.generation));
    const loads = loadBoth(app.frontend, 60);
    await sleep(2000);

    expect((await call(app.shell, 'PATCH', '/api/settings', { cpuLimit: 0.75 })).status).toBe(200);
    // The surge replica exists as a container, and HAProxy does not have it yet.
    await waitFor(async () => (await app.containers()).length > 2 ? true : null, 30_000, 'the first new container', 5);
    await app.kill();
    const atKill = { containers: (await app.containers()).length, servers: (await app.servers()).length };

    await app.restart();
    const after = await expectConverged(app, 2, true, 'both replicas on the new generation, tracked and in HAProxy, and nothing else',
      (s) => s.rollout.state === 'idle' && s.replicas.every((r) => !before.has(r.generation)));
    expect(after.settings.cpuLimit).toBe(0.75);
    expect(loads.every((l) => !l.progress().finished)).toBe(true);
    const { get, post } = await finishLoads(loads, `kill -9 mid rollout (${atKill.containers} containers, ${atKill.servers} servers at the kill)`);
    expect(get.requests).toBeGreaterThan(1000);
    expect({ get: [get.non2xx, get.errors], post: [post.non2xx, post.errors] }).toEqual(NO_FAILURES);
    expect(get.hosts.size).toBeGreaterThanOrEqual(4);
  }, 240_000);
});

describe.skipIf(!hasHaproxy())('kill -9 of the app in the middle of a hitless HAProxy reload (process replicas)', () => {
  let crash: CrashApp | undefined;
  afterEach(async () => {
    await crash?.dispose();
    crash = undefined;
  });

  it('runs the new config after the restart, with no request lost and every replica still in HAProxy', async () => {
    crash = await startCrashApp({ driver: 'process' }, 2);
    const app = crash;
    await waitFor(async () => ready(await app.snapshot()) === 2, 60_000, '2 ready replicas', 250);
    const loads = loadBoth(app.frontend, 30);
    await sleep(2000);

    // The kill lands the moment the new config replaces the old one on disk, before or just after the app tells
    // HAProxy's master to load it: the restarted app must see that HAProxy may still run the old one.
    const statsPort = await freePort();
    const workerBefore = await app.workerPid();
    const renamed = new Promise<void>((resolve) => {
      const watcher = watch(app.dataDir, (_event, name) => {
        if (name !== 'haproxy.cfg') return;
        watcher.close();
        process.kill(-app.shell.child.pid!, 'SIGKILL');
        resolve();
      });
    });
    const patched = call(app.shell, 'PATCH', '/api/settings', { statsPort }).catch((error: unknown) => error);
    await Promise.race([renamed, sleep(30_000).then(() => Promise.reject(new Error('the new config was not written within 30 s')))]);
    await app.kill();
    const answer = await patched;
    await sleep(1000);
    const reloadedBeforeKill = (await app.workerPid()) !== workerBefore;

    await app.restart();
    await expectConverged(app, 2, false, 'both replicas tracked and in HAProxy, and nothing else');
    const stats = await waitFor(async () => (await fetch(`http://127.0.0.1:${statsPort}/`, { signal: AbortSignal.timeout(2000) }).catch(() => null))?.status ?? null, 30_000, 'the stats page on the new port');
    expect(stats).toBe(200);
    expect((await app.snapshot()).settings.statsPort).toBe(statsPort);
    expect(loads.every((l) => !l.progress().finished)).toBe(true);
    const { get, post } = await finishLoads(loads, `kill -9 mid reload (the PATCH ${answer instanceof Error ? `was cut: ${answer.message}` : 'was answered'}; ` +
      `HAProxy ${reloadedBeforeKill ? 'had been told to reload' : 'still ran the old config'} at the kill)`);
    expect(get.requests).toBeGreaterThan(500);
    expect({ get: [get.non2xx, get.errors], post: [post.non2xx, post.errors] }).toEqual(NO_FAILURES);
  }, 180_000);
});
