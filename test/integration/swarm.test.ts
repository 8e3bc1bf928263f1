// Swarm replicas on a real single-node swarm: scale under load, adoption after a restart, a killed task replaced,
// and Swarm's own scale-in choice checked against the driver's prediction.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeClient } from '../../haproxy/runtime-client.js';
import { BACKEND_NAME } from '../../electron/core/haproxy-backend.js';
import type { ReplicaSpec } from '../../electron/core/replicas/replica-driver.js';
import { SwarmDriver, TASK_ID_LABEL } from '../../electron/core/replicas/swarm-driver.js';
import type { SwarmTask } from '../../electron/core/replicas/swarm/tasks.js';
import { hasDocker, hasHaproxy, requireAll } from '../support/requirements.js';
import { runLoad, startPlane, waitFor, type PlaneFixture, hostsThroughFrontend } from '../support/control-plane-fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const docker = new Dockerode();
const suffix = Math.random().toString(16).slice(2, 8);
const planeService = `scaledeck-it-${suffix}`;
const orderService = `scaledeck-order-${suffix}`;
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

async function replicasOf(service: string): Promise<number | undefined> {
  return ((await docker.getService(service).inspect()) as Dockerode.Service).Spec?.Mode?.Replicated?.Replicas;
}

describe.skipIf(!hasHaproxy() || !hasDocker() || !usable)('Swarm replicas', () => {
  let joinedByTests = false;
  /** `swarm init` creates this bridge and `swarm leave` keeps it. */
  let madeGatewayBridge = false;
  let fixture: PlaneFixture | undefined;

  beforeAll(async () => {
    if (before?.state === 'inactive') {
      const hadBridge = (await docker.listNetworks({ filters: { name: ['docker_gwbridge'] } })).some((n) => n.Name === 'docker_gwbridge');
      execFileSync('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1'], { stdio: 'pipe' });
      joinedByTests = true;
      madeGatewayBridge = !hadBridge;
    }
  });

  afterAll(async () => {
    await fixture?.stop();
    for (const service of [planeService, orderService]) {
      await docker.getService(service).remove().catch(() => undefined);
    }
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
    await sleep(3000);

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
    console.log(`[swarm] requests ${report.requests}, non-2xx ${report.non2xx}, errors ${report.errors}, hosts ${report.hosts.size}; ` +
      `slots before ${tasksBefore.map((t) => t.Slot).sort().join(',')}, after ${tasksAfter.map((t) => t.Slot).join(',')}`);
    expect(drained.sort()).toEqual(disappeared.sort());
    expect(drained.sort()).toEqual(predicted.sort());
    expect(tasksAfter.map((t) => t.Slot)).toEqual([1]);
    expect(await replicasOf(planeService)).toBe(1);
    expect(report.requests).toBeGreaterThan(100 * 20);
    expect(report.non2xx).toBe(0);
    expect(report.errors).toBe(0);
    expect(report.hosts.size).toBe(3);
  });

  it('adopts the existing service and its tasks after a restart of the control plane', async () => {
    const { plane, dataDir, app } = fixture!;
    await plane.scale({ replicas: 2 });
    await waitFor(() => fixture!.ready() === 2, 30_000, '2 ready tasks');
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
    // Swarm's own replacement, in the same slot, not an extra task.
    expect((await runningTasks(planeService)).map((t) => t.Slot)).toContain(victimSlot);
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
});
