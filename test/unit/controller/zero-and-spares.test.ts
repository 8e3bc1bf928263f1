// Scale to zero, wake on the first request, and warm spares, on in-memory parts and a fake clock.
import { afterEach, describe, expect, it } from 'vitest';
import { createControlPlane } from '../../../electron/core/compose-control-plane.js';
import { SettingsStore } from '../../../electron/core/settings-store.js';
import type { SettingsPatch } from '../../../electron/contract/settings-schema.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakePlaneLifecycle } from '../../support/fake-plane-lifecycle.js';
import { FakeDriver, FakeHaproxy, FakeLoadBalancer, fakeDocker } from '../../support/control-plane-fakes.js';

const planes = new FakePlaneLifecycle();
afterEach(() => planes.cleanup());

/** `again` restarts on the data folder, engine and HAProxy of an earlier plane, as a restarted app finds them. */
async function startPlane(settings: SettingsPatch, desired?: number, again?: { dataDir: string; log: string[]; driver: FakeDriver; lb: FakeLoadBalancer }) {
  const dataDir = again?.dataDir ?? planes.dataDir('scaledeck-zero-');
  const store = new SettingsStore(dataDir);
  store.update({ sampleIntervalMs: 1000, metric: 'host-cpu', scaleUpThreshold: 70, scaleDownThreshold: 30, breachSamples: 2, ...settings });
  if (desired !== undefined) store.setDesired(desired);
  const clock = new FakeClock();
  const log = again?.log ?? [];
  const driver = again?.driver ?? new FakeDriver(log, 'process');
  const lb = again?.lb ?? new FakeLoadBalancer(log);
  let hostCpu = 10;
  const plane = await createControlPlane(
    { dataDir, paths: { apiDockerfile: 'api/Dockerfile', apiServerJs: 'dist/api/server.js' } },
    {
      clock, driver, lb, haproxy: new FakeHaproxy(lb), docker: fakeDocker(),
      hostCpu: async () => hostCpu,
      probeHealth: driver.probe,
      probes: { docker: async () => null, haproxy: async () => '2.6.12', image: async () => true, portBlocker: async () => null },
      portBlocker: async () => null,
    },
  );
  planes.started(plane, clock);
  const ready = () => plane.snapshot().replicas.filter((r) => r.state === 'ready').length;
  const events = () => plane.snapshot().events.map((e) => e.message);
  return { plane, clock, lb, log, driver, dataDir, ready, events, setHostCpu: (v: number) => (hostCpu = v) };
}

describe('scale to zero', () => {
  it('lets an idle service go to zero replicas when minReplicas is 0', async () => {
    const { plane, clock, ready, events } = await startPlane({ minReplicas: 0, scaleDownCooldownS: 0 }, 1);
    await clock.until(() => ready() === 1, 'the first replica');
    await clock.until(() => plane.snapshot().desired === 0 && plane.snapshot().replicas.length === 0, 'zero replicas');
    expect(events()).toContain('1 -> 0: host CPU 10% < 30% for 2 samples');
  });

  it('wakes one replica as soon as a request waits, whatever the cooldowns say', async () => {
    const { plane, clock, lb, ready, events } = await startPlane({ minReplicas: 0, scaleUpCooldownS: 3600, scaleDownCooldownS: 3600 }, 0);
    await clock.advance(3000);
    expect(plane.snapshot().desired).toBe(0);
    lb.held = 2;
    const heldAt = clock.now();
    await clock.until(() => plane.snapshot().desired === 1, 'the wake');
    // The waker asks every 50 ms; the sample interval (1 s) plays no part.
    expect(clock.now() - heldAt).toBeLessThanOrEqual(100);
    expect(events()).toContain('0 -> 1: 2 requests waiting in HAProxy with no replica');
    lb.held = 0;
    await clock.until(() => ready() === 1, 'the woken replica serving');
  });

  it('keeps a woken replica for the scale-down cooldown before going back to zero', async () => {
    const { plane, clock, lb, ready } = await startPlane({ minReplicas: 0, scaleDownCooldownS: 20 }, 0);
    lb.held = 1;
    await clock.until(() => ready() === 1, 'the woken replica');
    lb.held = 0;
    const wokenAt = clock.now();
    await clock.until(() => plane.snapshot().desired === 0, 'the return to zero', { maxMs: 60_000 });
    expect(clock.now() - wokenAt).toBeGreaterThanOrEqual(19_000);
  });

  it('does not wake in manual mode: the person chose zero', async () => {
    const { plane, clock, lb } = await startPlane({ minReplicas: 0, mode: 'manual' }, 0);
    lb.held = 3;
    await clock.advance(5000);
    expect(plane.snapshot().desired).toBe(0);
    expect(plane.snapshot().replicas).toHaveLength(0);
  });
});

describe('warm spares', () => {
  it('keeps a spare out of rotation, serves a scale-out from it at once, and refills it', async () => {
    const { plane, clock, lb, log, ready } = await startPlane({ minReplicas: 1, standbyReplicas: 1, mode: 'manual' }, 1);
    const standby = () => plane.snapshot().replicas.filter((r) => r.state === 'standby');
    await clock.until(() => ready() === 1 && standby().length === 1, 'one serving replica and one spare');
    const spareName = standby()[0]!.name;
    expect(lb.table.get(spareName)?.draining).toBe(true);
    expect(log).toContain(`add ${spareName} (standby)`);

    const createdBefore = log.filter((line) => line.startsWith('create')).length;
    await plane.scale({ replicas: 2 });
    // Taken into rotation by the scale itself, before any tick has asked the engine and HAProxy again.
    expect(log).toContain(`ready ${spareName}`);
    await clock.until(() => ready() === 2, 'the spare serving');
    expect(plane.snapshot().replicas.find((r) => r.name === spareName)?.state).toBe('ready');
    expect(lb.table.get(spareName)?.draining).toBe(false);
    expect(log).toContain(`ready ${spareName}`);
    await clock.until(() => standby().length === 1, 'a new spare');
    expect(log.filter((line) => line.startsWith('create')).length).toBe(createdBefore + 1);
    expect(plane.snapshot().events.map((e) => e.message).some((m) => m.startsWith(`${spareName} is serving through HAProxy: a warm spare taken into rotation`))).toBe(true);
  });

  it('wakes from zero on the spare, and removes the spares on shutdown', async () => {
    const { plane, clock, lb, ready } = await startPlane({ minReplicas: 0, standbyReplicas: 1 }, 0);
    await clock.until(() => plane.snapshot().replicas.some((r) => r.state === 'standby'), 'the spare');
    expect(ready()).toBe(0);
    lb.held = 1;
    await clock.until(() => ready() === 1, 'the spare promoted');
    lb.held = 0;
    await clock.run(plane.shutdown({ keepRunning: false }), 'the shutdown');
    planes.stopped();
    expect(plane.snapshot().replicas).toHaveLength(0);
    expect(lb.table.size).toBe(0);
  });

  it('counts a spare as serving from the moment it is promoted: passes planned meanwhile neither start another nor drain it', async () => {
    const { plane, clock, lb, log, ready } = await startPlane({ minReplicas: 0, standbyReplicas: 1, scaleDownCooldownS: 3600 }, 0);
    await clock.until(() => plane.snapshot().replicas.some((r) => r.state === 'standby'), 'the spare');
    const spareName = plane.snapshot().replicas[0]!.name;
    let release!: () => void;
    lb.readyGate = new Promise((resolve) => (release = resolve));
    lb.held = 1;
    await clock.until(() => plane.snapshot().desired === 1, 'the wake');
    // Several reconcile passes (every 500 ms) run while the promotion's runtime command is under way.
    await clock.advance(2000);
    release();
    lb.readyGate = undefined;
    lb.held = 0;
    await clock.until(() => ready() === 1 && plane.snapshot().replicas.filter((r) => r.state === 'standby').length === 1, 'the spare serving, a new spare');
    await clock.advance(2000);
    expect(plane.snapshot().replicas.find((r) => r.state === 'ready')?.name).toBe(spareName);
    expect(log.filter((line) => line.startsWith('add ') && !line.endsWith('(standby)'))).toEqual([]);
    expect(log.filter((line) => line.startsWith('drain '))).toEqual([]);
    expect(plane.snapshot().replicas).toHaveLength(2);
  });

  it('adopts a running spare as a spare after a restart, without a new one or a scale-in', async () => {
    const first = await startPlane({ minReplicas: 1, standbyReplicas: 1, mode: 'manual' }, 1);
    await first.clock.until(() => first.plane.snapshot().replicas.some((r) => r.state === 'standby') && first.ready() === 1, 'a replica and a spare');
    await first.clock.run(first.plane.shutdown({ keepRunning: true }), 'the shutdown that keeps serving');
    planes.stopped();
    const createdBefore = first.log.filter((line) => line.startsWith('create')).length;

    const second = await startPlane({}, undefined, first);
    await second.clock.until(() => second.plane.snapshot().replicas.length === 2, 'both adopted');
    await second.clock.advance(3000);
    expect(second.plane.snapshot().replicas.map((r) => r.state).sort()).toEqual(['ready', 'standby']);
    expect(second.log.filter((line) => line.startsWith('create')).length).toBe(createdBefore);
    expect(second.log.some((line) => line.startsWith('drain'))).toBe(false);
  });
});
