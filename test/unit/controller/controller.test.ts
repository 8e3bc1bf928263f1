// The controller's order of effects, with fakes of the driver and load-balancer interfaces (no Docker, no HAProxy).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../../../electron/core/controller.js';
import type { LoadBalancer, ServerView } from '../../../electron/core/load-balancer.js';
import type { ObservedReplica, ReplicaDriver, ReplicaSpec } from '../../../electron/core/replicas/replica-driver.js';

const spec: ReplicaSpec = { image: 'x', containerPort: 8000, healthPath: '/healthz', cpuLimit: 1, memoryLimitMb: 64 };

/** Replicas are tiny HTTP servers answering the health path, so the controller's health wait is real. */
class FakeDriver implements ReplicaDriver {
  readonly kind = 'process' as const;
  readonly log: string[];
  readonly servers = new Map<string, { replica: ObservedReplica; server: http.Server }>();
  private next = 1;
  constructor(log: string[]) {
    this.log = log;
  }
  async status() {
    return { reachable: true, version: 'fake' };
  }
  async list() {
    return [...this.servers.values()].map((s) => s.replica);
  }
  async create(): Promise<ObservedReplica> {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const n = this.next++;
    const replica = { id: `id${n}`, name: `r${n}`, host: '127.0.0.1', hostPort: (server.address() as AddressInfo).port, startedAt: n, running: true };
    this.servers.set(replica.id, { replica, server });
    this.log.push(`create ${replica.name}`);
    return replica;
  }
  async remove(id: string) {
    const entry = this.servers.get(id);
    if (!entry) return;
    this.log.push(`stop ${entry.replica.name}`);
    this.servers.delete(id);
    await new Promise((resolve) => entry.server.close(resolve));
  }
  async stats() {
    return { cpuPercent: 0, memBytes: 0 };
  }
  async close() {
    for (const id of [...this.servers.keys()]) await this.remove(id);
  }
}

class FakeLoadBalancer implements LoadBalancer {
  readonly table = new Map<string, ServerView>();
  /** In-flight requests per server, as a test sets them. */
  readonly inFlight = new Map<string, number>();
  constructor(readonly log: string[]) {}
  async servers() {
    return [...this.table.values()];
  }
  async add(name: string, host: string, port: number) {
    this.log.push(`add ${name}`);
    this.table.set(name, { name, address: host, port, up: true, draining: false, maint: false });
  }
  async drain(name: string) {
    this.log.push(`drain ${name}`);
    this.table.get(name)!.draining = true;
  }
  async sessions(name: string) {
    return this.inFlight.get(name) ?? 0;
  }
  async remove(name: string) {
    this.log.push(`del ${name} (in flight ${this.inFlight.get(name) ?? 0})`);
    this.table.delete(name);
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Controller', () => {
  let controller: Controller | undefined;
  let driver: FakeDriver | undefined;
  afterEach(async () => {
    await controller?.stop();
    await driver?.close();
  });

  function setup(desired: number) {
    const log: string[] = [];
    const events: string[] = [];
    driver = new FakeDriver(log);
    const lb = new FakeLoadBalancer(log);
    controller = new Controller({
      driver, lb, spec: () => spec, drainTimeoutS: () => 5, desired, tickMs: 20,
      onEvent: (_kind, message) => events.push(message), onChange: () => undefined,
    });
    return { log, lb, events, controller };
  }

  it('adds a new replica to the load balancer only after it answers its health path', async () => {
    const { log, controller } = setup(2);
    controller.start();
    await until(() => controller.readyCount() === 2, '2 ready replicas');
    expect(log.indexOf('add r1')).toBeGreaterThan(log.indexOf('create r1'));
    expect(log.filter((line) => line.startsWith('create'))).toHaveLength(2);
  });

  it('drains a replica, waits for its in-flight requests, deletes the server, and only then stops it', async () => {
    const { log, lb, controller } = setup(2);
    controller.start();
    await until(() => controller.readyCount() === 2, '2 ready replicas');
    lb.inFlight.set('r2', 3);
    controller.setDesired(1);
    await until(() => log.includes('drain r2'), 'the drain');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(log.some((line) => line.startsWith('del r2'))).toBe(false);
    lb.inFlight.set('r2', 0);
    await until(() => log.includes('stop r2'), 'the stop');
    expect(log.slice(log.indexOf('drain r2'))).toEqual(['drain r2', 'del r2 (in flight 0)', 'stop r2']);
    expect(controller.replicas().map((r) => r.name)).toEqual(['r1']);
  });

  it('replaces a replica whose process died, taking its server out first', async () => {
    const { log, controller, events } = setup(1);
    controller.start();
    await until(() => controller.readyCount() === 1, 'a ready replica');
    driver!.servers.get('id1')!.replica.running = false;
    await until(() => controller.readyCount() === 1 && controller.replicas()[0]!.name === 'r2', 'the replacement');
    expect(log.indexOf('del r1 (in flight 0)')).toBeLessThan(log.indexOf('create r2'));
    expect(events.some((e) => e.includes('Removing r1: it exited'))).toBe(true);
  });

  it('does not act on an observation older than its own changes (a slow list during a scale-out)', async () => {
    const { log, controller } = setup(1);
    const listNow = driver!.list.bind(driver!);
    // The engine answers with what ran when it was asked, and answers late.
    driver!.list = async () => {
      const answer = await listNow();
      await new Promise((resolve) => setTimeout(resolve, 150));
      return answer;
    };
    controller.start();
    await until(() => controller.readyCount() === 1, 'the first replica');
    controller.setDesired(4);
    await until(() => controller.readyCount() === 4, '4 ready replicas');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(controller.readyCount()).toBe(4);
    expect(log.filter((line) => line.startsWith('stop'))).toEqual([]);
    expect(log.filter((line) => line.startsWith('create'))).toHaveLength(4);
    expect(log.filter((line) => line.startsWith('add'))).toHaveLength(4);
  });

  it('adopts replicas that already run and are registered, creating nothing', async () => {
    const log: string[] = [];
    driver = new FakeDriver(log);
    const lb = new FakeLoadBalancer(log);
    const existing = await driver.create();
    await lb.add(existing.name, existing.host, existing.hostPort);
    log.length = 0;
    controller = new Controller({ driver, lb, spec: () => spec, drainTimeoutS: () => 5, desired: 1, tickMs: 20, onEvent: () => undefined, onChange: () => undefined });
    controller.start();
    await until(() => controller!.readyCount() === 1, 'the adopted replica');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(log).toEqual([]);
  });
});
