// The controller's order of effects, with in-memory fakes of the driver and load balancer on a fake clock.
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../../../electron/core/service/controller.js';
import { sleep } from '../../../electron/core/clock.js';
import type { ReplicaSpec } from '../../../electron/core/replicas/replica-driver.js';
import { FakeClock, stopOn } from '../../support/fake-clock.js';
import { FakeDriver, FakeLoadBalancer } from '../../support/control-plane-fakes.js';

const spec: ReplicaSpec = { image: 'x', containerPort: 8000, healthPath: '/healthz', cpuLimit: 1, memoryLimitMb: 64 };

describe('Controller', () => {
  let controller: Controller | undefined;
  let clock: FakeClock | undefined;
  afterEach(async () => {
    if (controller) await stopOn(clock!, controller);
    controller = undefined;
  });

  function setup(desired: number, { drainTimeoutS = 5, createsWait }: { drainTimeoutS?: number; createsWait?: () => boolean } = {}) {
    const log: string[] = [];
    const events: string[] = [];
    clock = new FakeClock();
    const driver = new FakeDriver(log);
    const lb = new FakeLoadBalancer(log);
    controller = new Controller({
      driver, lb, spec: () => spec, drainTimeoutS: () => drainTimeoutS, desired, tickMs: 20, clock, probeHealth: driver.probe,
      healthTimeoutMs: 2000, onEvent: (_kind, message) => events.push(message), onChange: () => undefined, createsWait,
    });
    return { log, lb, events, controller, clock: clock!, driver };
  }

  it('waits to create a replica while its image is being built, with no error, and creates it once the build is done', async () => {
    let building = true;
    const { log, events, controller, clock } = setup(1, { createsWait: () => building });
    controller.start();
    await clock.advance(3000);
    expect(log.filter((line) => line.startsWith('create'))).toEqual([]);
    expect(events.filter((event) => event.startsWith('Could not start'))).toEqual([]);
    building = false;
    await clock.until(() => controller.readyCount() === 1, 'the replica once the build is done');
  });

  it('adds a new replica to the load balancer only after it answers its health path', async () => {
    const { log, controller, clock, driver } = setup(2);
    driver.unhealthy.add(9001);
    controller.start();
    await clock.advance(1000);
    expect(log).not.toContain('add r1');
    expect(controller.readyCount()).toBe(1);
    driver.unhealthy.delete(9001);
    await clock.until(() => controller.readyCount() === 2, '2 ready replicas');
    expect(log.indexOf('add r1')).toBeGreaterThan(log.indexOf('create r1'));
    expect(log.filter((line) => line.startsWith('create'))).toHaveLength(2);
  });

  it('does not adopt a replica it just removed from a listing asked for before the removal finished', async () => {
    const { controller, clock, driver, events } = setup(2);
    controller.start();
    await clock.until(() => controller.readyCount() === 2, '2 ready replicas');
    // A listing that answers with what ran when it was asked, after the removal went through meanwhile.
    const list = driver.list.bind(driver);
    driver.list = async () => {
      const answer = await list();
      await sleep(clock, 200);
      return answer;
    };
    controller.setDesired(1);
    await clock.until(() => !driver.replicas.has('id2'), 'r2 removed');
    await clock.advance(1000);
    expect(events.filter((e) => e.startsWith('Adopted'))).toEqual([]);
    expect(controller.replicas().map((r) => r.name)).toEqual(['r1']);
  });

  it('gives up on a replica that never answers its health path, and replaces it', async () => {
    const { log, controller, clock, driver, events } = setup(1);
    driver.unhealthy.add(9001);
    controller.start();
    await clock.until(() => log.includes('create r2'), 'a replacement');
    expect(events.some((e) => e.includes('r1: it did not answer http://127.0.0.1:9001/healthz within 2 s (connection refused)'))).toBe(true);
    expect(log).not.toContain('add r1');
    expect(log).toContain('stop r1');
  });

  it('drains a replica, waits for its in-flight requests, deletes the server, and only then stops it', async () => {
    const { log, lb, controller, clock } = setup(2);
    controller.start();
    await clock.until(() => controller.readyCount() === 2, '2 ready replicas');
    lb.inFlight.set('r2', 3);
    controller.setDesired(1);
    await clock.until(() => log.includes('drain r2'), 'the drain');
    await clock.advance(2000);
    expect(log.some((line) => line.startsWith('del r2'))).toBe(false);
    expect(controller.replicas().find((r) => r.name === 'r2')?.state).toBe('draining');
    lb.inFlight.set('r2', 0);
    await clock.until(() => log.includes('stop r2'), 'the stop');
    expect(log.slice(log.indexOf('drain r2'))).toEqual(['drain r2', 'del r2 (in flight 0)', 'stop r2']);
    expect(controller.replicas().map((r) => r.name)).toEqual(['r1']);
  });

  it('removes a draining replica once drainTimeoutS has passed even if requests are still in flight, and says so', async () => {
    const { log, lb, controller, clock, events } = setup(2, { drainTimeoutS: 30 });
    controller.start();
    await clock.until(() => controller.readyCount() === 2, '2 ready replicas');
    lb.inFlight.set('r2', 2);
    controller.setDesired(1);
    await clock.until(() => log.includes('drain r2'), 'the drain');
    const drainedAt = clock.now();
    await clock.advance(29_000);
    expect(log).not.toContain('stop r2');
    await clock.until(() => log.includes('stop r2'), 'the forced removal');
    expect(clock.now() - drainedAt).toBeGreaterThanOrEqual(30_000);
    expect(clock.now() - drainedAt).toBeLessThan(31_000);
    expect(log.slice(log.indexOf('drain r2'))).toEqual(['drain r2', 'del r2 (in flight 2)', 'stop r2']);
    expect(events).toContain('r2 still had 2 sessions after 30 s; removing it anyway');
  });

  it('replaces a replica whose process died, taking its server out first', async () => {
    const { log, controller, events, clock, driver } = setup(1);
    controller.start();
    await clock.until(() => controller.readyCount() === 1, 'a ready replica');
    driver.replicas.get('id1')!.running = false;
    await clock.until(() => controller.readyCount() === 1 && controller.replicas()[0]!.name === 'r2', 'the replacement');
    expect(log.indexOf('del r1 (in flight 0)')).toBeLessThan(log.indexOf('create r2'));
    expect(events.some((e) => e.includes('Removing r1: it exited'))).toBe(true);
  });

  it('does not act on an observation older than its own changes (a slow list during a scale-out)', async () => {
    const { log, controller, clock, driver } = setup(1);
    const listNow = driver.list.bind(driver);
    // The engine answers with what ran when it was asked, and answers late.
    driver.list = async () => {
      const answer = await listNow();
      await sleep(clock, 150);
      return answer;
    };
    controller.start();
    await clock.until(() => controller.readyCount() === 1, 'the first replica');
    controller.setDesired(4);
    await clock.until(() => controller.readyCount() === 4, '4 ready replicas');
    await clock.advance(500);
    expect(controller.readyCount()).toBe(4);
    expect(log.filter((line) => line.startsWith('stop'))).toEqual([]);
    expect(log.filter((line) => line.startsWith('create'))).toHaveLength(4);
    expect(log.filter((line) => line.startsWith('add'))).toHaveLength(4);
  });

  it('finishes a scale-in an earlier run left half-done: no server left draining, the extra replica gone', async () => {
    const { log, lb, driver, clock } = setup(1);
    const kept = await driver.create();
    const halfDrained = await driver.create();
    await lb.add(kept.name, kept.host, kept.hostPort);
    await lb.add(halfDrained.name, halfDrained.host, halfDrained.hostPort);
    await lb.drain(halfDrained.name);
    controller!.start();
    await clock.until(() => log.includes(`stop ${halfDrained.name}`) && controller!.replicas().length === 1, 'the scale-in to finish');
    expect(controller!.replicas().map((r) => [r.name, r.state])).toEqual([[kept.name, 'ready']]);
    expect([...lb.table.values()].map((s) => [s.name, s.draining, s.maint])).toEqual([[kept.name, false, false]]);
    expect(log).toContain(`stop ${halfDrained.name}`);
  });

  it('puts a server found draining back in rotation when the count keeps its replica', async () => {
    const { lb, driver, clock, events } = setup(1);
    const only = await driver.create();
    await lb.add(only.name, only.host, only.hostPort);
    await lb.drain(only.name);
    controller!.start();
    await clock.until(() => controller!.readyCount() === 1, 'the adopted replica');
    await clock.advance(1000);
    expect(lb.table.get(only.name)).toMatchObject({ draining: false, maint: false });
    expect(events).toContain(`${only.name} was left draining by an earlier run; back in rotation until the count says otherwise`);
  });

  it('adopts replicas that already run and are registered, creating nothing', async () => {
    const { log, lb, driver, clock } = setup(1);
    const existing = await driver.create();
    await lb.add(existing.name, existing.host, existing.hostPort);
    log.length = 0;
    controller!.start();
    await clock.until(() => controller!.readyCount() === 1, 'the adopted replica');
    await clock.advance(100);
    expect(log).toEqual([]);
  });
});
