// Rollouts through the whole control plane on in-memory parts and a fake clock: replacement, pause, rollback, resume.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createControlPlane } from '../../../electron/core/compose-control-plane.js';
import type { ControlPlane } from '../../../electron/core/control-plane.js';
import { SettingsStore } from '../../../electron/core/settings-store.js';
import type { SettingsPatch } from '../../../electron/contract/settings-schema.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeDriver, FakeHaproxy, FakeLoadBalancer, fakeDocker } from '../../support/control-plane-fakes.js';

const dirs: string[] = [];
const planes: { plane: ControlPlane; clock: FakeClock }[] = [];

afterEach(async () => {
  for (const { plane, clock } of planes.splice(0)) await clock.run(plane.shutdown({ keepRunning: false }), 'the shutdown');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface World {
  dataDir: string;
  clock: FakeClock;
  driver: FakeDriver;
  lb: FakeLoadBalancer;
  log: string[];
}

function newWorld(settings: SettingsPatch, desired: number): World {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'scaledeck-rollout-'));
  dirs.push(dataDir);
  const store = new SettingsStore(dataDir);
  store.update({ mode: 'manual', ...settings });
  store.setDesired(desired);
  const log: string[] = [];
  return { dataDir, clock: new FakeClock(), driver: new FakeDriver(log, 'docker'), lb: new FakeLoadBalancer(log), log };
}

async function startPlane(world: World) {
  const { dataDir, clock, driver, lb } = world;
  const plane = await createControlPlane(
    { dataDir, paths: { apiDockerfile: 'api/Dockerfile', apiServerJs: 'dist/api/server.js' } },
    {
      clock, driver, lb, haproxy: new FakeHaproxy(lb), docker: fakeDocker(),
      hostCpu: async () => 10,
      probeHealth: driver.probe,
      probes: { docker: async () => null, haproxy: async () => '2.6.12', image: async () => true, portBlocker: async () => null },
      portBlocker: async () => null,
    },
  );
  const entry = { plane, clock };
  planes.push(entry);
  const replicas = () => plane.snapshot().replicas;
  const ready = () => replicas().filter((r) => r.state === 'ready');
  const active = () => replicas().filter((r) => r.state === 'ready' || r.state === 'starting').length;
  const events = () => plane.snapshot().events.map((e) => e.message);
  const stop = async () => {
    planes.splice(planes.indexOf(entry), 1);
    await clock.run(plane.shutdown({ keepRunning: true }), 'a shutdown that leaves replicas running');
  };
  return { plane, replicas, ready, active, events, stop };
}

/** Advances until `check` holds, and fails if fewer than `desired` replicas were ready at any step on the way. */
async function untilNeverBelow(clock: FakeClock, ready: () => unknown[], desired: number, check: () => boolean, what: string) {
  let lowest = Infinity;
  await clock.until(() => {
    lowest = Math.min(lowest, ready().length);
    return check();
  }, what);
  expect(lowest).toBeGreaterThanOrEqual(desired);
}

describe('rollout on fakes', () => {
  it('replaces every replica after an image change, a new one ready before each old one drains', async () => {
    const world = newWorld({}, 3);
    const { plane, ready, events } = await startPlane(world);
    await world.clock.until(() => ready().length === 3, '3 ready replicas');
    const before = ready()[0]!.generation;

    expect('result' in (await plane.updateSettings({ image: 'scaledeck/api:v2' }))).toBe(true);
    await untilNeverBelow(world.clock, ready, 3, () => plane.snapshot().rollout.state === 'idle' && ready().length === 3 && ready().every((r) => r.generation.startsWith('v2 ')), 'every replica on v2');

    expect(ready().map((r) => r.generation)).not.toContain(before);
    // Surge 1: r4 is UP before r3 (the newest old one) is drained, and so on.
    const order = world.log.filter((line) => /^(add r[4-6]|drain r[1-3])$/.test(line));
    expect(order).toEqual(['add r4', 'drain r3', 'add r5', 'drain r2', 'add r6', 'drain r1']);
    expect(events().some((e) => /^Rolling out 3 replica\(s\) to v2 [0-9a-f]{8} from latest [0-9a-f]{8}, 1 at a time$/.test(e))).toBe(true);
    expect(events().some((e) => /^Rollout to v2 [0-9a-f]{8} finished: 3 replaced in \d+\.\d s$/.test(e))).toBe(true);
  });

  it('shows progress while it runs: "n of total" replaced', async () => {
    const world = newWorld({}, 2);
    const { plane, ready } = await startPlane(world);
    await world.clock.until(() => ready().length === 2, '2 ready replicas');
    // The second new replica (r4) is held unhealthy, so the rollout stops half-way for a look.
    world.driver.unhealthy.add(9004);
    await plane.updateSettings({ cpuLimit: 0.75 });
    await world.clock.until(() => plane.snapshot().rollout.replaced === 1, 'one replaced');
    expect(plane.snapshot().rollout).toMatchObject({ state: 'running', replaced: 1, total: 2, reason: null });
    world.driver.unhealthy.clear();
    await world.clock.until(() => plane.snapshot().rollout.state === 'idle', 'the rollout to finish');
  });

  it('a scale-out during a rollout adds new-generation replicas only', async () => {
    const world = newWorld({}, 2);
    const { plane, ready, replicas } = await startPlane(world);
    await world.clock.until(() => ready().length === 2, '2 ready replicas');
    await plane.updateSettings({ image: 'scaledeck/api:v2' });
    expect(await plane.scale({ replicas: 4 })).toMatchObject({ result: { desired: 4 } });
    await untilNeverBelow(world.clock, ready, 2, () => plane.snapshot().rollout.state === 'idle' && ready().length === 4, '4 ready replicas');
    expect(replicas().map((r) => r.generation.split(' ')[0])).toEqual(['v2', 'v2', 'v2', 'v2']);
    // Two old replaced, two added: nothing was started of the old generation after the change.
    expect(world.log.filter((line) => line.startsWith('create'))).toHaveLength(6);
  });

  it('checks old replicas on their own health path while new ones are checked on the new one', async () => {
    const world = newWorld({ healthPath: '/healthz' }, 2);
    const { plane, ready } = await startPlane(world);
    await world.clock.until(() => ready().length === 2, '2 ready replicas');
    await plane.updateSettings({ healthPath: '/' });
    await world.clock.until(() => world.lb.table.has('r3'), 'the first new replica registered');
    expect(world.lb.healthPaths.get('r1')).toBe('/healthz');
    expect(world.lb.healthPaths.get('r3')).toBe('/');
  });

  it('pauses a version that never gets ready, keeps the old replicas serving, and rolls back to them', async () => {
    const world = newWorld({ rolloutDeadlineS: 20 }, 2);
    const { plane, ready, replicas, events } = await startPlane(world);
    await world.clock.until(() => ready().length === 2, '2 ready replicas');
    const old = ready().map((r) => r.name);
    for (let port = 9003; port < 9100; port++) world.driver.unhealthy.add(port);

    await plane.updateSettings({ image: 'scaledeck/api:broken' });
    await untilNeverBelow(world.clock, ready, 2, () => plane.snapshot().rollout.state === 'paused', 'the rollout to pause');
    const rollout = plane.snapshot().rollout;
    expect(rollout).toMatchObject({ state: 'paused', replaced: 0, total: 2, canRollBack: true });
    expect(rollout.reason).toMatch(/^(no new replica of broken [0-9a-f]{8} became ready within 20 s|3 new replicas of broken [0-9a-f]{8} failed)/);
    expect(ready().map((r) => r.name)).toEqual(old);
    expect(events().some((e) => /^Rollout paused after \d+\.\d s, the old replicas keep serving: /.test(e))).toBe(true);

    // Paused: no further new replica is started.
    await world.clock.advance(30_000);
    expect(replicas().filter((r) => r.generation.startsWith('broken')).length).toBe(0);

    const answer = await plane.rollback();
    expect('result' in answer).toBe(true);
    expect(plane.snapshot().settings.image).toBe('scaledeck/api:latest');
    await world.clock.until(() => plane.snapshot().rollout.state === 'idle', 'the rollback to settle');
    expect(ready().map((r) => r.name)).toEqual(old);
    expect(plane.snapshot().rollout.canRollBack).toBe(true);
  });

  it('after a rollback, a new replica that never got ready is no reason to pause again', async () => {
    const world = newWorld({ rolloutDeadlineS: 5 }, 2);
    const { plane, ready, replicas, events } = await startPlane(world);
    await world.clock.until(() => ready().length === 2, '2 ready replicas');
    for (let port = 9003; port < 9100; port++) world.driver.unhealthy.add(port);
    await plane.updateSettings({ image: 'scaledeck/api:broken' });
    await world.clock.until(() => plane.snapshot().rollout.state === 'paused', 'the rollout to pause');
    // The broken replica is still waiting for its health path when the rollback comes.
    expect(replicas().some((r) => r.generation.startsWith('broken') && r.state === 'starting')).toBe(true);

    await plane.rollback();
    await world.clock.until(() => plane.snapshot().rollout.state === 'idle' && replicas().length === 2, 'the abandoned replica gone');
    expect(events().filter((e) => e.startsWith('Rollout paused'))).toHaveLength(1);
    expect(ready().every((r) => r.generation.startsWith('latest'))).toBe(true);
  });

  it('a retry gives a paused rollout a fresh deadline, and it finishes once the version works', async () => {
    const world = newWorld({ rolloutDeadlineS: 20 }, 1);
    const { plane, ready } = await startPlane(world);
    await world.clock.until(() => ready().length === 1, 'a ready replica');
    for (let port = 9002; port < 9100; port++) world.driver.unhealthy.add(port);
    await plane.updateSettings({ memoryLimitMb: 256 });
    await world.clock.until(() => plane.snapshot().rollout.state === 'paused', 'the rollout to pause');

    world.driver.unhealthy.clear();
    expect(await plane.retryRollout()).toMatchObject({ result: { state: 'running' } });
    await world.clock.until(() => plane.snapshot().rollout.state === 'idle' && ready().length === 1 && ready()[0]!.name !== 'r1', 'the rollout to finish');
    expect(await plane.retryRollout()).toEqual({ error: 'No rollout is paused' });
  });

  it('refuses a rollback when there is nothing to roll back to', async () => {
    const world = newWorld({}, 1);
    const { plane } = await startPlane(world);
    expect(await plane.rollback()).toEqual({ error: 'There is no earlier version to roll back to' });
  });

  it('resumes after a restart of ScaleDeck, with the version to roll back to remembered', async () => {
    const world = newWorld({}, 3);
    const first = await startPlane(world);
    await world.clock.until(() => first.ready().length === 3, '3 ready replicas');
    world.driver.unhealthy.add(9005);
    await first.plane.updateSettings({ image: 'scaledeck/api:v2' });
    await world.clock.until(() => first.plane.snapshot().rollout.replaced === 1, 'one replaced');
    await first.stop();
    world.driver.unhealthy.clear();

    const second = await startPlane(world);
    await world.clock.until(() => second.plane.snapshot().rollout.state === 'idle' && second.ready().length === 3 && second.ready().every((r) => r.generation.startsWith('v2 ')), 'the rollout to finish after the restart');
    expect(second.events().some((e) => /^Rolling out \d replica\(s\) to v2 [0-9a-f]{8} from latest [0-9a-f]{8}, 1 at a time \(\d of 3 already replaced\)$/.test(e))).toBe(true);
    expect(second.plane.snapshot().rollout.canRollBack).toBe(true);
  });
});
