// A raised count starts its replicas from setDesired on what the controller tracks, never one too many, and only
// where the tick would plan the same: in-memory driver and load balancer on a fake clock.
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../../../electron/core/service/controller.js';
import { sleep } from '../../../electron/core/clock.js';
import { generationOf } from '../../../electron/core/replicas/generation.js';
import type { ReplicaSpec } from '../../../electron/core/replicas/replica-driver.js';
import { FakeClock, flush, stopOn } from '../../support/fake-clock.js';
import { FakeDriver, FakeLoadBalancer } from '../../support/control-plane-fakes.js';

const spec: ReplicaSpec = { image: 'x', containerPort: 8000, healthPath: '/healthz', cpuLimit: 1, memoryLimitMb: 64 };

interface Setup {
  desired: number;
  /** How long the engine takes to answer a listing; it answers with what ran when it was asked. */
  listDelayMs?: number;
  /** How long a create takes to return after its container is listed (Docker lists it before it has started). */
  createDelayMs?: number;
  standby?: number;
  /** What the rollout answers to steady(); no rollout when left out. */
  steady?: () => boolean;
}

describe('a scale-out started from setDesired', () => {
  let controller: Controller | undefined;
  let clock: FakeClock | undefined;
  afterEach(async () => {
    if (controller) await stopOn(clock!, controller);
    controller = undefined;
  });

  function setup({ desired, listDelayMs = 0, createDelayMs = 0, standby = 0, steady }: Setup) {
    const log: string[] = [];
    const events: string[] = [];
    clock = new FakeClock();
    const fake = clock;
    const driver = new FakeDriver(log);
    const lb = new FakeLoadBalancer(log);
    const listNow = driver.list.bind(driver);
    const listings = { asked: 0, answered: 0 };
    driver.list = async () => {
      listings.asked += 1;
      const answer = await listNow();
      if (listDelayMs > 0) await sleep(fake, listDelayMs);
      listings.answered += 1;
      return answer;
    };
    const createNow = driver.create.bind(driver);
    let createCalls = 0;
    driver.create = async (s) => {
      createCalls += 1;
      const made = await createNow(s);
      if (createDelayMs > 0) await sleep(fake, createDelayMs);
      return made;
    };
    const rollout = steady && { observe: () => ({ generation: generationOf(spec), surge: 1, paused: false }), steady };
    controller = new Controller({
      driver, lb, spec: () => spec, drainTimeoutS: () => 5, desired, tickMs: 20, clock, probeHealth: driver.probe,
      healthTimeoutMs: 2000, onEvent: (_kind, message) => events.push(message), onChange: () => undefined,
      standby: () => standby, ...(rollout ? { rollout } : {}),
    });
    const creates = () => log.filter((line) => line.startsWith('create'));
    return { log, events, lb, driver, listings, creates, createCalls: () => createCalls, controller, clock };
  }

  it('calls create before the engine or HAProxy is asked again', async () => {
    const { controller, clock, creates, listings } = setup({ desired: 1, listDelayMs: 150 });
    controller.start();
    await clock.until(() => controller.readyCount() === 1, 'the first replica');
    const answered = listings.answered;
    controller.setDesired(2);
    expect(creates()).toEqual(['create r1', 'create r2']);
    expect(listings.answered).toBe(answered);
    await clock.until(() => controller.readyCount() === 2, '2 ready replicas');
  });

  it('starts exactly one replica for one missing, whether a pass is under way, kicked right after, or the create is slow', async () => {
    for (const listDelayMs of [0, 30, 150]) {
      for (const createDelayMs of [0, 60, 300]) {
        for (const offsetMs of [0, 5, 10, 15]) {
          const { controller, clock, log, creates } = setup({ desired: 1, listDelayMs, createDelayMs });
          controller.start();
          await clock.until(() => controller.readyCount() === 1, 'the first replica');
          await clock.advance(offsetMs);
          controller.setDesired(2);
          await clock.until(() => controller.readyCount() === 2, '2 ready replicas');
          await clock.advance(1000);
          const what = `list ${listDelayMs} ms, create ${createDelayMs} ms, asked at +${offsetMs} ms`;
          expect(creates(), what).toEqual(['create r1', 'create r2']);
          expect(log.filter((line) => line.startsWith('stop') || line.startsWith('drain')), what).toEqual([]);
          await clock.run(controller.stop(), 'the controller to stop');
        }
      }
    }
  });

  it('counts a create under way when the count goes up again before it returns', async () => {
    const { controller, clock, creates } = setup({ desired: 1, listDelayMs: 30, createDelayMs: 200 });
    controller.start();
    await clock.until(() => controller.readyCount() === 1, 'the first replica');
    controller.setDesired(2);
    controller.setDesired(3);
    expect(creates()).toEqual(['create r1', 'create r2', 'create r3']);
    await clock.until(() => controller.readyCount() === 3, '3 ready replicas');
    await clock.advance(1000);
    expect(creates()).toHaveLength(3);
  });

  it('promotes warm spares first and creates only what they do not cover', async () => {
    const { controller, clock, log, creates } = setup({ desired: 1, standby: 1, listDelayMs: 150 });
    controller.start();
    await clock.until(() => controller.replicas().filter((r) => r.state === 'standby').length === 1 && controller.readyCount() === 1, 'a replica and a spare');
    const before = creates().length;
    controller.setDesired(2);
    expect(creates()).toHaveLength(before);
    controller.setDesired(3);
    expect(creates()).toHaveLength(before + 1);
    await clock.until(() => controller.readyCount() === 3, '3 serving');
    expect(log.filter((line) => line.startsWith('stop'))).toEqual([]);
  });

  it('creates nothing for a spare promoted under way: its promotion counts', async () => {
    const { controller, clock, creates } = setup({ desired: 1, standby: 1 });
    controller.start();
    await clock.until(() => controller.replicas().filter((r) => r.state === 'standby').length === 1 && controller.readyCount() === 1, 'a replica and a spare');
    controller.setDesired(2);
    await clock.until(() => controller.readyCount() === 2 && controller.replicas().filter((r) => r.state === 'standby').length === 1, 'the spare serving and refilled');
    await clock.advance(1000);
    // r1 serves, r2 was the spare, r3 refills the pool.
    expect(creates()).toEqual(['create r1', 'create r2', 'create r3']);
  });

  it('leaves a scale-out during a rollout to the pass, which plans the rollout step', async () => {
    let steady = false;
    const { controller, clock, creates, listings } = setup({ desired: 1, listDelayMs: 150, steady: () => steady });
    controller.start();
    await clock.until(() => controller.readyCount() === 1, 'the first replica');
    const answered = listings.answered;
    controller.setDesired(2);
    expect(creates()).toEqual(['create r1']);
    await clock.until(() => creates().length === 2, 'the create from the pass');
    expect(listings.answered).toBeGreaterThan(answered);
    steady = true;
    controller.setDesired(3);
    expect(creates()).toEqual(['create r1', 'create r2', 'create r3']);
  });

  it('does not create while creates back off after a failure', async () => {
    const { controller, clock, driver, creates, createCalls, events } = setup({ desired: 1 });
    controller.start();
    await clock.until(() => controller.readyCount() === 1, 'the first replica');
    driver.failCreate = 'no such image';
    controller.setDesired(2);
    await flush();
    expect(events.filter((e) => e.startsWith('Could not start'))).toHaveLength(1);
    const calls = createCalls();
    controller.setDesired(3);
    expect(createCalls()).toBe(calls);
    driver.failCreate = null;
    await clock.until(() => controller.readyCount() === 3, '3 ready replicas once the backoff is over');
    expect(creates()).toEqual(['create r1', 'create r2', 'create r3']);
  });

  it('creates nothing for a count raised before the first listing: what already runs is adopted', async () => {
    const { controller, clock, driver, lb, creates } = setup({ desired: 1 });
    for (let i = 0; i < 2; i++) {
      const running = await driver.create(spec);
      await lb.add(running.name, running.host, running.hostPort);
    }
    const made = creates().length;
    controller.setDesired(2);
    controller.start();
    await clock.until(() => controller.readyCount() === 2, 'the 2 adopted replicas');
    await clock.advance(1000);
    expect(creates()).toHaveLength(made);
  });

  it('creates nothing once stopped', async () => {
    const { controller, clock, creates } = setup({ desired: 1 });
    controller.start();
    await clock.until(() => controller.readyCount() === 1, 'the first replica');
    await clock.run(controller.stop(), 'the controller to stop');
    controller.setDesired(2);
    expect(creates()).toEqual(['create r1']);
  });

  it('leaves a scale-in to the pass: the drain waits for the listing', async () => {
    const { controller, clock, log, listings } = setup({ desired: 2, listDelayMs: 150 });
    controller.start();
    await clock.until(() => controller.readyCount() === 2, '2 ready replicas');
    const answered = listings.answered;
    controller.setDesired(1);
    expect(log.filter((line) => line.startsWith('drain'))).toEqual([]);
    await clock.until(() => log.includes('drain r2'), 'the drain');
    expect(listings.answered).toBeGreaterThan(answered);
  });
});
