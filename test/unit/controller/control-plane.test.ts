// The control plane's commands and loop over in-memory parts on a fake clock: no Docker, no HAProxy, no waiting.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamMessage } from '../../../electron/contract/contract.js';
import { createControlPlane } from '../../../electron/core/compose-control-plane.js';
import { SettingsStore } from '../../../electron/core/settings-store.js';
import type { SettingsPatch } from '../../../electron/contract/settings-schema.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakePlaneLifecycle } from '../../support/fake-plane-lifecycle.js';
import { FakeDriver, FakeHaproxy, FakeLoadBalancer, fakeDocker } from '../../support/control-plane-fakes.js';
import { dispatchCommand } from '../../../electron/shells/common/dispatch.js';
import { readSettingsFile } from '../../support/settings-file.js';

const planes = new FakePlaneLifecycle();
afterEach(() => planes.cleanup());

async function startPlane(settings: SettingsPatch = {}, desired?: number, { imageBuilt = true, failCreate = null as string | null } = {}) {
  const dataDir = planes.dataDir('scaledeck-plane-');
  const store = new SettingsStore(dataDir);
  store.update({ sampleIntervalMs: 1000, metric: 'host-cpu', scaleUpThreshold: 70, scaleDownThreshold: 30, breachSamples: 2, ...settings });
  if (desired !== undefined) store.setDesired(desired);
  const clock = new FakeClock();
  const log: string[] = [];
  const driver = new FakeDriver(log, settings.driver === 'docker' ? 'docker' : 'process');
  driver.failCreate = failCreate;
  const docker = fakeDocker();
  let built = imageBuilt;
  const lb = new FakeLoadBalancer(log);
  const haproxy = new FakeHaproxy(lb);
  let hostCpu = 10;
  const messages: StreamMessage[] = [];
  const plane = await createControlPlane(
    { dataDir, paths: { apiDockerfile: 'api/Dockerfile', apiServerJs: 'dist/api/server.js' } },
    {
      clock, driver, lb, haproxy, docker,
      hostCpu: async () => hostCpu,
      probeHealth: driver.probe,
      probes: { docker: async () => null, haproxy: async () => '2.6.12', image: async () => built, portBlocker: async () => null },
      portBlocker: async (port) => (port === 9999 ? 'port 9999 is in use by nginx (pid 42)' : null),
    },
  );
  plane.subscribe((message) => messages.push(message));
  planes.started(plane, clock);
  const persisted = () => readSettingsFile(path.join(dataDir, 'settings.json'));
  const ready = () => plane.snapshot().replicas.filter((r) => r.state === 'ready').length;
  const events = () => plane.snapshot().events.map((e) => e.message);
  const finishBuild = () => {
    built = true;
    driver.failCreate = null;
    docker.finishBuild();
  };
  return { plane, clock, driver, lb, haproxy, log, messages, persisted, ready, events, docker, finishBuild, setHostCpu: (v: number) => (hostCpu = v) };
}

describe('control plane on fakes', () => {
  it('starts the persisted count, not the minimum, after a restart', async () => {
    const { clock, ready, plane } = await startPlane({ minReplicas: 1 }, 3);
    await clock.until(() => ready() === 3, '3 ready replicas');
    expect(plane.snapshot().desired).toBe(3);
  });

  it('a scale command switches to manual, converges, and persists the same count it runs', async () => {
    const { plane, clock, ready, persisted, events } = await startPlane();
    await clock.until(() => ready() === 1, 'the first replica');
    expect(await plane.scale({ replicas: 3 })).toEqual({ result: { desired: 3, mode: 'manual' } });
    await clock.until(() => ready() === 3, '3 ready replicas');
    expect(persisted().desired).toBe(3);
    expect(persisted().settings?.mode).toBe('manual');
    expect(plane.snapshot().settings.mode).toBe('manual');
    expect(events()).toContain('1 -> 3: set by hand');
    expect(events()).toContain('Manual mode: the replica count stays where it is set');
  });

  it('refuses a count outside the range, naming the field, and changes nothing', async () => {
    const { plane, clock, ready } = await startPlane({ maxReplicas: 4 });
    await clock.until(() => ready() === 1, 'the first replica');
    expect(await plane.scale({ replicas: 5 })).toEqual({ error: 'replicas: must be between minReplicas (1) and maxReplicas (4)', field: 'replicas' });
    expect(plane.snapshot().desired).toBe(1);
    expect(plane.snapshot().settings.mode).toBe('auto');
  });

  it('scales up on samples above the threshold in auto mode, and not in manual mode', async () => {
    const { plane, clock, ready, setHostCpu, events } = await startPlane({ mode: 'manual' });
    await clock.until(() => ready() === 1, 'the first replica');
    setHostCpu(95);
    await clock.advance(5000);
    expect(plane.snapshot().desired).toBe(1);
    await plane.setMode({ mode: 'auto' });
    await clock.until(() => plane.snapshot().desired === 2, 'a scale-up');
    expect(events().some((e) => /^1 -> 2: host CPU 95% > 70% for 2 samples$/.test(e))).toBe(true);
    await clock.until(() => ready() === 2, 'the new replica');
  });

  it('moves the count into a narrowed range, with the range as the cause', async () => {
    const { plane, clock, ready, persisted, events } = await startPlane({}, 4);
    await clock.until(() => ready() === 4, '4 ready replicas');
    expect('result' in (await plane.updateSettings({ maxReplicas: 2 }))).toBe(true);
    await clock.until(() => ready() === 2, 'two replicas drained');
    expect(plane.snapshot().desired).toBe(2);
    expect(persisted().desired).toBe(2);
    expect(events()).toContain('4 -> 2: the replica range is now 1..2');
  });

  it('replaces a replica removed at the minimum instead of going below it', async () => {
    const { plane, clock, ready, events, log } = await startPlane({ minReplicas: 1 });
    await clock.until(() => ready() === 1, 'the first replica');
    expect(await plane.removeReplica({ id: 'r1' })).toEqual({ result: { removed: 'id1' } });
    await clock.until(() => log.includes('stop r1') && ready() === 1, 'the replacement');
    expect(plane.snapshot().desired).toBe(1);
    expect(events()).toContain('Replacing r1: 1 is already the minimum');
    expect(plane.snapshot().settings.mode).toBe('manual');
  });

  it('reconfigures HAProxy when a setting it renders changes, and not for others', async () => {
    const { plane, clock, ready, haproxy } = await startPlane();
    await clock.until(() => ready() === 1, 'the first replica');
    await plane.updateSettings({ scaleUpThreshold: 80 });
    expect(haproxy.reloads).toBe(0);
    expect(await plane.updateSettings({ healthPath: '/' })).toMatchObject({ result: { healthPath: '/' } });
    expect(haproxy.reloads).toBe(1);
  });

  it('refuses a setting haproxy rejects, naming the field, and neither saves it nor reloads', async () => {
    const { plane, haproxy, persisted } = await startPlane();
    haproxy.refusal = 'HAProxy refuses this configuration: cannot parse the health check';
    expect(await plane.updateSettings({ healthPath: '/ready', scaleUpThreshold: 90 })).toEqual({
      error: 'healthPath: HAProxy refuses this configuration: cannot parse the health check', field: 'healthPath',
    });
    expect(plane.settings.healthPath).toBe('/healthz');
    expect(persisted().settings?.healthPath).toBeUndefined();
    expect(haproxy.reloads).toBe(0);
  });

  it('refuses a load run whose path leaves the frontend, naming path', async () => {
    const { plane, clock, ready } = await startPlane();
    await clock.until(() => ready() === 1, 'the first replica');
    expect(await plane.startLoad({ rate: 10, durationS: 1, path: '//other.host/' })).toEqual({
      error: expect.stringMatching(/^path: "\/\/other\.host\/" leads to http:\/\/other\.host/), field: 'path',
    });
    expect(plane.snapshot().load.running).toBe(false);
  });

  it('refuses a port another program holds, naming the field, and saves nothing', async () => {
    const { plane, persisted } = await startPlane({ scaleUpThreshold: 75 });
    expect(await plane.updateSettings({ statsPort: 9999, scaleUpThreshold: 90 })).toEqual({
      error: 'statsPort: port 9999 is in use by nginx (pid 42); choose another port', field: 'statsPort',
    });
    expect(plane.settings.rules[0]!.scaleUpThreshold).toBe(75);
    expect(persisted().settings?.rules).toEqual([{ metric: 'host-cpu', scaleUpThreshold: 75, scaleDownThreshold: 30, targetValue: 50 }]);
  });

  it('rejects a bad rule naming it as rules.<i>.<field>, and keeps the saved rules', async () => {
    const { plane, persisted } = await startPlane({ scaleUpThreshold: 75 });
    const latency = { metric: 'latency-p95' as const, scaleUpThreshold: 150, scaleDownThreshold: 40, targetValue: 100 };
    // Parsed as a body off the wire would be: the type system cannot hold an unknown metric.
    const unknownMetric = JSON.parse(JSON.stringify({ rules: [plane.settings.rules[0], { ...latency, metric: 'disk' }] })) as Parameters<typeof plane.updateSettings>[0];
    expect(await plane.updateSettings(unknownMetric)).toMatchObject({ field: 'rules.1.metric' });
    expect(await plane.updateSettings({ rules: [plane.settings.rules[0], { ...latency, scaleDownThreshold: 400 }] })).toEqual({
      error: 'rules.1.scaleDownThreshold: must be below scaleUpThreshold (150)', field: 'rules.1.scaleDownThreshold',
    });
    expect(plane.settings.rules).toEqual([{ metric: 'host-cpu', scaleUpThreshold: 75, scaleDownThreshold: 30, targetValue: 50 }]);
    expect(persisted().settings?.rules).toEqual(plane.settings.rules);
  });

  it('applies settings updates one at a time, each on what the one before saved', async () => {
    const { plane } = await startPlane({ minReplicas: 1, maxReplicas: 10 });
    const [first, second] = await Promise.all([plane.updateSettings({ minReplicas: 5 }), plane.updateSettings({ maxReplicas: 4 })]);
    expect(first).toMatchObject({ result: { minReplicas: 5 } });
    expect(second).toEqual({ error: 'minReplicas: must not exceed maxReplicas (4)', field: 'minReplicas' });
    expect(plane.settings.maxReplicas).toBe(10);
  });

  it('acts on no sample once shutdown has begun, refuses commands, and keeps the saved count', async () => {
    const { plane, clock, ready, setHostCpu, persisted, driver } = await startPlane({ breachSamples: 1 }, 2);
    await clock.until(() => ready() === 2, '2 ready replicas');
    setHostCpu(99);
    const shutdown = plane.shutdown({ keepRunning: false });
    // The shells' one guard refuses every command but reads; a change queued before the shutdown is not applied.
    expect(await dispatchCommand(plane, 'scale', { replicas: 3 })).toEqual({ error: 'ScaleDeck is shutting down; try again after it has started' });
    expect(await dispatchCommand(plane, 'updateSettings', { maxReplicas: 3 })).toMatchObject({ error: expect.stringContaining('shutting down') });
    expect(await dispatchCommand(plane, 'getSnapshot', undefined)).toHaveProperty('result');
    expect(await plane.updateSettings({ maxReplicas: 3 })).toMatchObject({ error: expect.stringContaining('shutting down') });
    await clock.run(shutdown, 'the shutdown');
    planes.stopped();
    expect(driver.replicas.size).toBe(0);
    expect(persisted().desired).toBe(2);
    expect(plane.snapshot().events.some((e) => e.message.startsWith('2 -> 3'))).toBe(false);
  });

  it('builds a missing sample image on the first run, and starts the replica as soon as it is built, not after a backoff', async () => {
    const { clock, ready, docker, events, finishBuild } = await startPlane({}, undefined, { imageBuilt: false, failCreate: 'image scaledeck/api:latest not found' });
    expect(docker.builds).toEqual(['scaledeck/api:latest']);
    expect(events()).toContain('scaledeck/api:latest is not built yet: building it now (first run; progress in the setup panel)');
    // While it builds, creates fail and back off further and further.
    await clock.advance(20_000);
    expect(ready()).toBe(0);
    finishBuild();
    const builtAt = clock.now();
    await clock.until(() => ready() === 1, 'the first replica');
    expect(clock.now() - builtAt).toBeLessThan(1000);
  });

  it('does not build an image the person named, even when it is missing, and never tags the sample with its name', async () => {
    const { docker, plane } = await startPlane({ image: 'example/shop:2' }, undefined, { imageBuilt: false });
    expect(docker.builds).toEqual([]);
    expect(await plane.buildImage()).toEqual({ result: { started: true } });
    expect(docker.builds).toEqual(['scaledeck/api:latest']);
  });

  it('says when the Docker engine stops answering and when it is back', async () => {
    const { clock, docker, events, plane } = await startPlane({ driver: 'docker' });
    await clock.advance(3000);
    docker.reachable = false;
    await clock.advance(2500);
    expect(events()).toContain('The Docker engine stopped answering (connect ENOENT /var/run/docker.sock); HAProxy keeps serving what still runs');
    expect(plane.snapshot().docker.reachable).toBe(false);
    docker.reachable = true;
    await clock.advance(2500);
    expect(events()).toContain('The Docker engine answers again (fake); replicas that stopped meanwhile are replaced');
  });

  it('publishes at most one snapshot per 200 ms however many changes come at once', async () => {
    const { plane, clock, messages } = await startPlane({ maxReplicas: 20 });
    await clock.advance(1000);
    messages.length = 0;
    for (let n = 2; n <= 6; n++) await plane.scale({ replicas: n });
    await clock.advance(150);
    expect(messages.filter((m) => m.type === 'snapshot').length).toBeLessThanOrEqual(1);
    await clock.advance(250);
    expect(messages.filter((m) => m.type === 'snapshot').length).toBeGreaterThanOrEqual(1);
  });
});
