// Swarm replicas on a real single-node swarm: scale under load, adoption after a restart, a killed task replaced,
// Swarm's own scale-in choice checked against the driver's prediction, and Swarm's rolling update under load (each
// old task drained in HAProxy before Swarm stops it; a broken version rolled back by Swarm with no failed request).
// Every request is counted one by one; the negative control kills a task under the same load without a drain.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeClient } from '../../haproxy/runtime-client.js';
import { BACKEND_NAME } from '../../electron/core/service/haproxy-backend.js';
import type { ReplicaSpec } from '../../electron/core/replicas/replica-driver.js';
import { SwarmDriver, TASK_ID_LABEL } from '../../electron/core/replicas/swarm-driver.js';
import type { SwarmTask } from '../../electron/core/replicas/swarm/tasks.js';
import { hasDocker, hasHaproxy, requireAll } from '../support/requirements.js';
import { expectEveryRequestAnswered, finishLoads, loadLine, runLoad, startPlane, waitFor, type LoadReport, type LoadRun, type PlaneFixture, hostsThroughFrontend } from '../support/control-plane-fixture.js';
import { killContainers } from '../support/loss-controls.js';
import { buildOffline, sampleHealthcheck } from '../support/swarm-images.js';
import { feedWorstValues } from '../support/worst-settings.js';
import { startHeadlessServer } from '../../electron/shells/headless/headless-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const docker = new Dockerode();
const suffix = Math.random().toString(16).slice(2, 8);
const planeService = `scaledeck-it-${suffix}`;
const worstService = `scaledeck-worst-${suffix}`;
const orderService = `scaledeck-order-${suffix}`;
const rollService = `scaledeck-roll-${suffix}`;
/** Made offline from the sample image: two versions with its HEALTHCHECK, and one whose command exits at once. */
const CHECKED_V1 = `scaledeck/api:swarm-v1-${suffix}`;
const CHECKED_V2 = `scaledeck/api:swarm-v2-${suffix}`;
const BROKEN = `scaledeck/api:swarm-broken-${suffix}`;
const spec: ReplicaSpec = { image: 'scaledeck/api:latest', containerPort: 8000, healthPath: '/healthz', cpuLimit: 0.5, memoryLimitMb: 128 };

/** The engine's swarm membership before the tests: they init (and later leave) a swarm only if it had none. */
function swarmMembership(): { state: string; manager: boolean } | null {
  if (!hasDocker()) return null;
  const [state, manager] = execFileSync('docker', ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'], { encoding: 'utf8' }).trim().split(' ');
  return { state, manager: manager === 'true' };
}

const before = swarmMembership();
const usable = before !== null && (before.state === 'inactive' || before.manager);
if (before && !usable) {
  const line = `SKIPPING swarm tests: this Docker engine is in a swarm but not a manager (${before.state})`;
  if (requireAll) throw new Error(`${line} (SCALEDECK_REQUIRE_ALL=1 forbids skipping)`);
  console.warn(`\n!!! ${line}\n`);
}

async function runningTasks(service: string): Promise<SwarmTask[]> {
  const tasks = (await docker.listTasks({ filters: { service: [service], 'desired-state': ['running'] } })) as SwarmTask[];
  return tasks.filter((t) => t.Status.State === 'running');
}

async function makeRolloutImages(): Promise<void> {
  const checked = ['FROM scaledeck/api:latest', sampleHealthcheck()];
  await buildOffline(docker, CHECKED_V1, [...checked, `LABEL scaledeck.test=swarm-v1-${suffix}`]);
  await buildOffline(docker, CHECKED_V2, [...checked, `LABEL scaledeck.test=swarm-v2-${suffix}`]);
  await buildOffline(docker, BROKEN, [...checked, 'CMD ["node", "-e", "process.exit(1)"]']);
}

const GET_RATE = 80;
const POST_RATE = 40;

/** GET / and POST /echo with 64 KiB bodies at once. */
function loadBoth(frontend: string, durationS: number): LoadRun[] {
  return [
    runLoad({ url: new URL('/', frontend).toString(), rate: GET_RATE, durationS }),
    runLoad({ url: new URL('/echo', frontend).toString(), rate: POST_RATE, durationS, method: 'POST', body: Buffer.alloc(64 * 1024, 'x') }),
  ];
}

/** Every request of both runs was issued and answered 2xx: exactly rate x duration of each. */
function expectBothAnswered({ get, post }: { get: LoadReport; post: LoadReport }, durationS: number): void {
  expectEveryRequestAnswered(get, GET_RATE * durationS, 'GET');
  expectEveryRequestAnswered(post, POST_RATE * durationS, 'POST 64 KiB');
}

/**
 * Each time Docker sends a stop signal to a task container of `service` (Swarm stopping an old task), asks HAProxy
 * at once how that task's server stands: 'in rotation', 'draining', 'maint' or 'gone' (deleted after its drain).
 */
async function watchStops(service: string, client: RuntimeClient) {
  const seen: Array<{ task: string; haproxy: string; at: number }> = [];
  const pending: Promise<void>[] = [];
  const events = (await docker.getEvents({
    filters: { type: ['container'], event: ['kill'], label: [`com.docker.swarm.service.name=${service}`] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  events.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      const event = JSON.parse(line) as { timeNano: number; Actor: { Attributes: Record<string, string> } };
      const task = event.Actor.Attributes['com.docker.swarm.task.id'];
      pending.push(client.showServersState(BACKEND_NAME).then((servers) => {
        const server = servers.find((s) => s.name.endsWith(`-${task.slice(0, 6)}`));
        const haproxy = !server ? 'gone' : server.maint ? 'maint' : server.drain ? 'draining' : 'in rotation';
        seen.push({ task, haproxy, at: Math.round(event.timeNano / 1e6) });
      }));
    }
  });
  return { seen, stop: async () => {
    events.destroy();
    await Promise.all(pending);
  } };
}

/**
 * For each old task Swarm stopped: how long before that its replacement (same slot) was serving through HAProxy,
 * which is when the controller drained the old one. Positive: drained before Swarm stopped it.
 */
function drainLead(stops: Array<{ task: string; at: number }>, old: Map<string, string>, events: Array<{ at: number; message: string }>): Array<{ name: string; leadMs: number }> {
  return stops.filter((s) => old.has(s.task)).map((stop) => {
    const name = old.get(stop.task)!;
    const slotPrefix = name.slice(0, name.lastIndexOf('-') + 1);
    const up = events.find((e) => e.message.startsWith(slotPrefix) && !e.message.startsWith(name) && / is serving through HAProxy/.test(e.message));
    return { name, leadMs: up ? stop.at - up.at : Number.NaN };
  });
}

async function replicasOf(service: string): Promise<number | undefined> {
  return ((await docker.getService(service).inspect()) as Dockerode.Service).Spec?.Mode?.Replicated?.Replicas;
}

describe.skipIf(!hasHaproxy() || !hasDocker() || !usable)('Swarm replicas', () => {
  let joinedByTests = false;
  /** `swarm init` creates this bridge and `swarm leave` keeps it. */
  let madeGatewayBridge = false;
  let fixture: PlaneFixture | undefined;

  beforeAll(async () => {
    await makeRolloutImages();
    if (before?.state === 'inactive') {
      const hadBridge = (await docker.listNetworks({ filters: { name: ['docker_gwbridge'] } })).some((n) => n.Name === 'docker_gwbridge');
      execFileSync('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1'], { stdio: 'pipe' });
      joinedByTests = true;
      madeGatewayBridge = !hadBridge;
    }
  });

  afterAll(async () => {
    await fixture?.stop();
    for (const service of [planeService, orderService, rollService, worstService]) {
      await docker.getService(service).remove().catch(() => undefined);
    }
    for (const tag of [CHECKED_V1, CHECKED_V2, BROKEN]) await docker.getImage(tag).remove().catch(() => undefined);
    if (joinedByTests) execFileSync('docker', ['swarm', 'leave', '--force'], { stdio: 'pipe' });
    if (madeGatewayBridge) await docker.getNetwork('docker_gwbridge').remove().catch(() => undefined);
  });

  it('scales 1 -> 3 -> 1 under load with no failed request, and Swarm stops exactly the drained tasks', async () => {
    fixture = await startPlane({ driver: 'swarm', swarmService: planeService }, { desired: 1 });
    const { plane } = fixture;
    await waitFor(() => fixture!.ready() === 1, 60_000, 'the first task to be ready');
    const load = runLoad({ url: fixture.frontend, rate: 100, durationS: 30 });
    await sleep(2000);

    await plane.scale({ replicas: 3 });
    await waitFor(() => fixture!.ready() === 3, 30_000, '3 ready tasks');
    // ScaleDeck serves a task before Swarm calls it running (the image's HEALTHCHECK passes one interval after the start).
    await waitFor(async () => (await runningTasks(planeService)).length === 3, 30_000, 'Swarm to report 3 running tasks');
    await sleep(1000);

    const tasksBefore = await runningTasks(planeService);
    const idByName = new Map(plane.snapshot().replicas.map((r) => [r.name, r.id]));
    const observer = new SwarmDriver({ app: fixture.app, docker, service: planeService });
    const predicted = observer.removalOrder(await observer.list()).slice(0, 2);
    await observer.close();
    const drained: string[] = [];
    const unsubscribe = plane.subscribe((message) => {
      const match = message.type === 'event' ? /^Drained and stopped (\S+)/.exec(message.event.message) : null;
      if (match) drained.push(idByName.get(match[1]) ?? match[1]);
    });
    await plane.scale({ replicas: 1 });
    await waitFor(() => plane.snapshot().replicas.length === 1, 60_000, 'scale-in to 1 task');
    unsubscribe();

    const tasksAfter = await runningTasks(planeService);
    const disappeared = tasksBefore.filter((t) => !tasksAfter.some((a) => a.ID === t.ID)).map((t) => t.ID);
    const report = await load.done;
    console.log(`${loadLine('[swarm scale-in]', report)}; ` +
      `slots before ${tasksBefore.map((t) => t.Slot).sort().join(',')}, after ${tasksAfter.map((t) => t.Slot).join(',')}`);
    expect(drained.sort()).toEqual(disappeared.sort());
    expect(drained.sort()).toEqual(predicted.sort());
    expect(tasksAfter.map((t) => t.Slot)).toEqual([1]);
    expect(await replicasOf(planeService)).toBe(1);
    expectEveryRequestAnswered(report, 100 * 30);
    expect(report.hosts.size).toBe(3);
  });

  it('adopts the existing service and its tasks after a restart of the control plane', async () => {
    const { plane, dataDir, app } = fixture!;
    await plane.scale({ replicas: 2 });
    await waitFor(() => fixture!.ready() === 2, 30_000, '2 ready tasks');
    await waitFor(async () => (await runningTasks(planeService)).length === 2, 30_000, 'Swarm to report 2 running tasks');
    const services = () => docker.listServices({ filters: { label: [`scaledeck.app=${app}`] } });
    const serviceIds = (await services()).map((s) => s.ID);
    const taskIds = plane.snapshot().replicas.map((r) => r.id).sort();

    await plane.shutdown({ keepRunning: true });
    fixture = await startPlane({}, { dataDir, app });
    await waitFor(() => fixture!.ready() === 2, 30_000, 'the restarted plane to adopt 2 ready tasks');

    expect(fixture.plane.snapshot().replicas.map((r) => r.id).sort()).toEqual(taskIds);
    expect((await services()).map((s) => s.ID)).toEqual(serviceIds);
    expect((await runningTasks(planeService)).map((t) => t.ID).sort()).toEqual(taskIds);
    expect(await replicasOf(planeService)).toBe(2);
  });

  it('follows Swarm when a task is killed: its server leaves HAProxy and the replacement serves within 10 s', async () => {
    const { plane, dataDir, frontend } = fixture!;
    const client = new RuntimeClient(path.join(dataDir, 'haproxy.sock'));
    const victim = plane.snapshot().replicas[0]!;
    const victimSlot = (await runningTasks(planeService)).find((t) => t.ID === victim.id)?.Slot;
    const [container] = await docker.listContainers({ filters: { label: [`${TASK_ID_LABEL}=${victim.id}`] } });
    const killedAt = Date.now();
    await docker.getContainer(container!.Id).kill();

    await waitFor(async () => !(await client.showServersState(BACKEND_NAME)).some((s) => s.name === victim.name), 60_000, 'the dead task to leave HAProxy');
    await waitFor(() => {
      const replicas = plane.snapshot().replicas;
      return replicas.length === 2 && replicas.every((r) => r.state === 'ready' && r.id !== victim.id);
    }, 60_000, 'the replacement to be ready');
    const tookMs = Date.now() - killedAt;
    const hosts = await hostsThroughFrontend(frontend, 6);
    const servers = (await client.showServersState(BACKEND_NAME)).map((s) => s.name).sort();
    console.log(`[swarm] replacement serving ${(tookMs / 1000).toFixed(1)} s after docker kill`);
    expect(servers).toEqual(plane.snapshot().replicas.map((r) => r.name).sort());
    expect(hosts.size).toBe(2);
    expect(hosts.has(container!.Id.slice(0, 12))).toBe(false);
    // Swarm's own replacement, in the same slot, not an extra task. ScaleDeck serves it as soon as its container
    // answers, which can be a moment before Swarm reports the task running.
    await waitFor(async () => (await runningTasks(planeService)).some((t) => t.Slot === victimSlot), 10_000, `Swarm to report slot ${victimSlot} running`);
    expect(await replicasOf(planeService)).toBe(2);
  });

  it('gives concurrent creates a task each, and Swarm drops the task the driver predicts (checked 3 times)', async () => {
    const driver = new SwarmDriver({ app: `order${suffix}`, docker, service: orderService });
    try {
      expect((await driver.status()).reachable).toBe(true);
      const created = await Promise.all([1, 2, 3, 4].map(() => driver.create(spec)));
      expect(new Set(created.map((r) => r.id)).size).toBe(4);
      expect(created.map((r) => r.slot).sort()).toEqual([1, 2, 3, 4]);
      expect(await replicasOf(orderService)).toBe(4);
      const stats = await driver.stats(created[0]!.id, spec);
      expect(stats.memBytes).toBeGreaterThan(0);

      for (let count = 4; count > 1; count--) {
        const listed = await driver.list();
        const predicted = driver.removalOrder(listed)[0];
        // As an operator would: Swarm alone picks the task.
        execFileSync('docker', ['service', 'scale', '--detach', `${orderService}=${count - 1}`], { stdio: 'pipe' });
        const after = await waitFor(async () => {
          const now = await driver.list();
          return now.length === count - 1 ? now : null;
        }, 20_000, `${count - 1} tasks`);
        const gone = listed.filter((r) => !after.some((a) => a.id === r.id)).map((r) => r.slot);
        console.log(`[swarm] ${count} -> ${count - 1}: predicted slot ${listed.find((r) => r.id === predicted)?.slot}, Swarm removed slot ${gone.join(',')}`);
        expect(gone).toEqual([listed.find((r) => r.id === predicted)?.slot]);
      }

      const [first, second] = await Promise.all([driver.create(spec), driver.create(spec)]);
      const lowest = (await driver.list()).sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0))[0]!;
      expect(driver.removalOrder(await driver.list())[0]).not.toBe(lowest.id);
      await driver.remove(lowest.id, 5);
      const left = (await driver.list()).map((r) => r.id).sort();
      expect(left).toHaveLength(2);
      expect(left).not.toContain(lowest.id);
      expect([first!.id, second!.id].filter((id) => id !== lowest.id).every((id) => left.includes(id))).toBe(true);
      expect(await replicasOf(orderService)).toBe(2);

      await Promise.all(left.map((id) => driver.remove(id, 5)));
      expect(await driver.list()).toEqual([]);
      expect(await replicasOf(orderService)).toBe(0);
    } finally {
      await driver.close();
    }
  });

  it("rolls 3 tasks to a new version with Swarm's own update under GET and 64 KiB POST load, each old task drained before Swarm stops it", async () => {
    await fixture?.stop();
    fixture = await startPlane({ driver: 'swarm', swarmService: rollService, image: CHECKED_V1, drainTimeoutS: 10 }, { desired: 3 });
    const { plane, dataDir, frontend } = fixture;
    await waitFor(() => fixture!.ready() === 3, 90_000, '3 ready tasks');
    const old = new Map(plane.snapshot().replicas.map((r) => [r.id, r.name]));
    const oldGeneration = plane.snapshot().replicas[0]!.generation;
    const stops = await watchStops(rollService, new RuntimeClient(path.join(dataDir, 'haproxy.sock')));
    const loads = loadBoth(frontend, 32);
    await sleep(2000);

    const startedAt = Date.now();
    expect('result' in (await plane.updateSettings({ image: CHECKED_V2 }))).toBe(true);
    let fewestReady = Infinity;
    const progress = new Set<string>();
    await waitFor(() => {
      fewestReady = Math.min(fewestReady, fixture!.ready());
      const { rollout, replicas } = plane.snapshot();
      if (rollout.state === 'running') progress.add(`${rollout.replaced} of ${rollout.total}`);
      return rollout.state === 'idle' && replicas.length === 3 && fixture!.ready() === 3 && replicas.every((r) => r.generation?.startsWith('swarm-v2'));
    }, 120_000, 'every task on the new generation');
    const tookS = (Date.now() - startedAt) / 1000;
    expect(loads.every((l) => !l.progress().finished)).toBe(true);
    // The last old task may still be on its way out (ScaleDeck let it go once Swarm no longer wanted it).
    await waitFor(() => stops.seen.filter((s) => old.has(s.task)).length >= 3, 20_000, 'Swarm to stop the 3 old tasks').catch(() => undefined);
    await stops.stop();

    const { get, post } = await finishLoads(loads, `swarm rollout / 3 tasks in ${tookS.toFixed(1)} s, fewest ready ${fewestReady}`);
    const events = plane.snapshot().events.map((e) => e.message);
    const oldStops = stops.seen.filter((s) => old.has(s.task));
    const leads = drainLead(stops.seen, old, plane.snapshot().events);
    console.log(`[swarm rollout] progress seen: ${[...progress].join(', ')}; HAProxy when Swarm stopped each old task: ${oldStops.map((s) => `${old.get(s.task)} ${s.haproxy}`).join(', ')}; ` +
      `replacement UP (old one drained) before Swarm's stop by ${leads.map((l) => `${(l.leadMs / 1000).toFixed(1)} s`).join(', ')}`);
    expect(leads.every((l) => l.leadMs > 0)).toBe(true);
    console.log(`[swarm rollout] generations ${oldGeneration} -> ${[...new Set(plane.snapshot().replicas.map((r) => r.generation))].join(',')}`);
    expect(oldStops).toHaveLength(3);
    expect(oldStops.every((s) => s.haproxy === 'gone' || s.haproxy === 'draining' || s.haproxy === 'maint')).toBe(true);
    for (const name of old.values()) {
      expect(events.some((e) => e.startsWith(`Drained and stopped ${name}`))).toBe(true);
      // Not taken out after the fact because its task had gone (the fallback when Swarm is first).
      expect(events.some((e) => e.startsWith(`Removing ${name}`))).toBe(false);
    }
    expect(fewestReady).toBeGreaterThanOrEqual(3);
    expect(progress.has('1 of 3') || progress.has('2 of 3')).toBe(true);
    expect(events.some((e) => /finished: 3 replaced/.test(e))).toBe(true);
    expectBothAnswered({ get, post }, 32);
    expect(get.hosts.size).toBeGreaterThanOrEqual(6);
  }, 180_000);

  it('a version whose command exits at once: Swarm rolls it back, the old tasks serve every request, the pause survives a restart, roll back', async () => {
    const { plane, frontend, dataDir, app } = fixture!;
    const serving = plane.snapshot().replicas.map((r) => r.name).sort();
    const loads = loadBoth(frontend, 25);
    await sleep(1000);

    const startedAt = Date.now();
    expect('result' in (await plane.updateSettings({ image: BROKEN }))).toBe(true);
    await waitFor(() => /rolled the update back/.test(plane.snapshot().rollout.reason ?? ''), 60_000, 'Swarm to roll the update back');
    const paused = plane.snapshot().rollout;
    console.log(`[swarm rollout / broken image] paused ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the change: ${paused.reason}`);
    expect(paused).toMatchObject({ state: 'paused', replaced: 0, total: 3, canRollBack: true });
    expect(plane.snapshot().replicas.filter((r) => r.state === 'ready').map((r) => r.name).sort()).toEqual(serving);
    expect(plane.snapshot().events.some((e) => e.kind === 'rollout' && e.message.startsWith('Rollout paused') && /Swarm/.test(e.message))).toBe(true);

    // The state lives in Swarm and the rollout record: a restarted ScaleDeck reports the same pause, and does not
    // hand the rolled-back version to Swarm again.
    await plane.shutdown({ keepRunning: true });
    fixture = await startPlane({}, { dataDir, app });
    const restarted = fixture.plane;
    await waitFor(() => restarted.snapshot().rollout.state === 'paused' && fixture!.ready() === 3, 30_000, 'the restarted plane to report the pause');
    expect(restarted.snapshot().events.some((e) => e.kind === 'rollout' && e.message.includes('is still paused'))).toBe(true);
    expect(restarted.snapshot().replicas.map((r) => r.name).sort()).toEqual(serving);

    expect('result' in (await restarted.rollback())).toBe(true);
    expect(restarted.settings.image).toBe(CHECKED_V2);
    await waitFor(() => restarted.snapshot().rollout.state === 'idle' && fixture!.ready() === 3, 30_000, 'the rollback to settle');
    expect(restarted.snapshot().replicas.map((r) => r.name).sort()).toEqual(serving);
    expect(loads.every((l) => !l.progress().finished)).toBe(true);

    const { get, post } = await finishLoads(loads, 'swarm rollout / command exits at once, restart, then roll back');
    expectBothAnswered({ get, post }, 25);
    expect(get.hosts.size).toBe(3);
  }, 120_000);

  it("a health path the new version never answers: Swarm's health check fails it and rolls back; retry updates again, then roll back", async () => {
    const { plane, frontend } = fixture!;
    const serving = plane.snapshot().replicas.map((r) => r.name).sort();
    const load = runLoad({ url: frontend, rate: 60, durationS: 30 });

    const startedAt = Date.now();
    // The sample image's HEALTHCHECK asks the path ScaleDeck checks (SCALEDECK_HEALTH_PATH): the new tasks never pass.
    expect('result' in (await plane.updateSettings({ healthPath: '/missing' }))).toBe(true);
    await waitFor(() => /rolled the update back/.test(plane.snapshot().rollout.reason ?? ''), 60_000, 'Swarm to roll the update back');
    const firstS = (Date.now() - startedAt) / 1000;

    expect('result' in (await plane.retryRollout())).toBe(true);
    await waitFor(() => plane.snapshot().rollout.state === 'running', 5_000, 'the retry to resume the rollout');
    await waitFor(() => /rolled the update back/.test(plane.snapshot().rollout.reason ?? ''), 60_000, 'Swarm to roll the retried update back');
    const rolledBackTwice = plane.snapshot().events.filter((e) => /^Swarm rolled the update back/.test(e.message)).length;
    console.log(`[swarm rollout / health path never answered] rolled back by Swarm ${firstS.toFixed(1)} s after the change, and again after a retry (${((Date.now() - startedAt) / 1000).toFixed(1)} s in all)`);
    expect(rolledBackTwice).toBeGreaterThanOrEqual(2);
    expect(plane.snapshot().replicas.filter((r) => r.state === 'ready').map((r) => r.name).sort()).toEqual(serving);

    expect('result' in (await plane.rollback())).toBe(true);
    expect(plane.settings.healthPath).toBe('/healthz');
    await waitFor(() => plane.snapshot().rollout.state === 'idle' && fixture!.ready() === 3, 30_000, 'the rollback to settle');
    expect(plane.snapshot().replicas.map((r) => r.name).sort()).toEqual(serving);
    const report = await load.done;
    console.log(loadLine('[swarm rollout / health path never answered] GET', report));
    expectEveryRequestAnswered(report, 60 * 30);
  }, 120_000);

  it("holds a count change made during Swarm's update until the update ends, then scales with the usual drain", async () => {
    const { plane, dataDir, frontend } = fixture!;
    const old = new Map(plane.snapshot().replicas.map((r) => [r.id, r.name]));
    const stops = await watchStops(rollService, new RuntimeClient(path.join(dataDir, 'haproxy.sock')));
    const loads = loadBoth(frontend, 30);
    await sleep(1000);

    expect('result' in (await plane.updateSettings({ image: CHECKED_V1 }))).toBe(true);
    await waitFor(() => plane.snapshot().replicas.some((r) => r.generation?.startsWith('swarm-v1')), 30_000, 'the first new task');
    expect((await plane.scale({ replicas: 4 })) as object).toHaveProperty('result');
    let fewestReady = Infinity;
    await waitFor(() => {
      fewestReady = Math.min(fewestReady, fixture!.ready());
      const { rollout, replicas } = plane.snapshot();
      return rollout.state === 'idle' && replicas.length === 4 && fixture!.ready() === 4 && replicas.every((r) => r.generation?.startsWith('swarm-v1'));
    }, 90_000, '4 tasks, all on the new generation');
    await waitFor(() => stops.seen.filter((s) => old.has(s.task)).length >= 3, 20_000, 'Swarm to stop the 3 old tasks').catch(() => undefined);
    await stops.stop();

    const { get, post } = await finishLoads(loads, `swarm rollout / count 3 -> 4 during the update, fewest ready ${fewestReady}`);
    const events = plane.snapshot().events.map((e) => e.message);
    const oldStops = stops.seen.filter((s) => old.has(s.task));
    console.log(`[swarm rollout / count change] HAProxy when Swarm stopped each old task: ${oldStops.map((s) => s.haproxy).join(', ')}; service replicas ${await replicasOf(rollService)}`);
    expect(oldStops.map((s) => s.haproxy)).toEqual(['gone', 'gone', 'gone']);
    for (const name of old.values()) expect(events.some((e) => e.startsWith(`Removing ${name}`))).toBe(false);
    expect(await replicasOf(rollService)).toBe(4);
    expect(fewestReady).toBeGreaterThanOrEqual(3);
    expectBothAnswered({ get, post }, 30);
  }, 120_000);

  it('negative control: killing 2 of 4 tasks under the same load without a drain loses requests, and the count sees it', async () => {
    const { plane, frontend } = fixture!;
    await waitFor(() => fixture!.ready() === 4, 30_000, '4 ready tasks');
    // The rate of the Docker scale-in control: 64 KiB bodies in flight on the victim when it goes.
    const [rate, durationS] = [300, 10];
    const load = runLoad({ url: new URL('/echo', frontend).toString(), rate, durationS, method: 'POST', body: Buffer.alloc(64 * 1024, 'x'), connections: 20 });
    await sleep(2000);
    const victims = plane.snapshot().replicas.slice(0, 2);
    // One query per task: the engine's label filters must all match.
    const containers = (await Promise.all(victims.map((v) => docker.listContainers({ filters: { label: [`${TASK_ID_LABEL}=${v.id}`] } })))).flat();
    expect(containers).toHaveLength(2);
    await killContainers(containers.map((c) => c.Id));
    expect(load.progress().finished).toBe(false);
    const report = await load.done;
    console.log(loadLine('[swarm negative control / 2 of 4 tasks killed without a drain]', report));
    expect(report.issued).toBe(rate * durationS);
    expect(report.ok2xx).toBeLessThan(report.issued);
  });
  it('answers every setting at its worst value over HTTP with the swarm driver, and the service still serves', async () => {
    await fixture?.stop();
    fixture = await startPlane({ driver: 'swarm', swarmService: worstService }, { desired: 1 });
    await waitFor(() => fixture!.ready() === 1, 60_000, 'one ready task');
    const token = 'worst-settings-swarm-token-0123456789';
    const server = await startHeadlessServer({ target: fixture.plane, host: '127.0.0.1', port: 0, token, rendererDir: path.resolve('dist/renderer') });
    try {
      const run = await feedWorstValues(server.port, token);
      console.log(`[worst settings / swarm] applied and set back: ${run.applied.length}; refused: ${run.refused.join(', ')}; slowest answer ${run.slowest.ms.toFixed(0)} ms (${run.slowest.name})`);
      // Swarm picks which task a scale-in removes, so warm spares are refused for it, as are the local-only settings.
      expect(run.refused).toEqual(expect.arrayContaining(['standbyReplicas (400)', 'haproxyPath (403)', 'dockerHost (403)']));
      expect(run.applied.length).toBeGreaterThanOrEqual(30);
      // Swarm's updates to the broken versions run out (start-first: the old task serves throughout).
      await waitFor(async () => fixture!.ready() >= 1 && (await hostsThroughFrontend(fixture!.plane.frontendUrl(), 3).catch(() => new Set())).size >= 1, 180_000, 'the service to serve after the worst values');
    } finally {
      await server.close();
    }
  }, 420_000);
});
