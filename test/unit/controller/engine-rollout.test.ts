// Rollouts an engine performs itself (Swarm's rolling update): the plan only drains what the engine replaces and
// holds a lower count while the engine updates; the Rollout hands the engine the spec and follows its outcome.
import { describe, expect, it } from 'vitest';
import { planReconcile } from '../../../electron/core/service/reconcile.js';
import { isActive, type ReplicaFacts } from '../../../electron/core/service/replica-facts.js';
import { Rollout, type ReplicaInRollout } from '../../../electron/core/service/rollout.js';
import { rolloutRecordInMemory } from '../../../electron/core/service/rollout-record.js';
import { generationOf } from '../../../electron/core/replicas/generation.js';
import type { EngineUpdate, ReplicaSpec, RollingEngine } from '../../../electron/core/replicas/replica-driver.js';
import { FakeClock } from '../../support/fake-clock.js';

const replica = (id: string, generation: string, overrides: Partial<ReplicaFacts> = {}): ReplicaFacts => ({
  id, name: `r-${id}`, state: 'ready', startedAt: Number(id.replace(/\D/g, '')) || 0, running: true, registered: true, busy: false, generation, ...overrides,
});
const engine = (updating: boolean) => ({ generation: 'new', surge: 1, paused: false, engine: { updating } });

describe('planReconcile while the engine rolls out', () => {
  it('starts and drains nothing for replicas of an older generation: the engine replaces them', () => {
    const replicas = [replica('1', 'old'), replica('2', 'old')];
    expect(planReconcile({ replicas, servers: null, desired: 2, creating: 0, rollout: engine(true) })).toEqual([]);
  });

  it("counts a replacement in its old replica's place and keeps the old one serving while the new one starts", () => {
    const replicas = [replica('1', 'old'), replica('2', 'old', { successor: '3' }), replica('3', 'new', { state: 'starting', registered: false })];
    const actions = planReconcile({ replicas, servers: null, desired: 2, creating: 0, rollout: engine(true) });
    expect(actions.filter((a) => a.type === 'drain' || a.type === 'create')).toEqual([]);
  });

  it('drains the replaced replica as soon as its replacement is ready (UP in HAProxy)', () => {
    const replicas = [replica('1', 'old'), replica('2', 'old', { successor: '3' }), replica('3', 'new')];
    expect(planReconcile({ replicas, servers: null, desired: 2, creating: 0, rollout: engine(true) })).toEqual([{ type: 'drain', id: '2' }]);
  });

  it('counts the old replica while its replacement is not tracked yet (no port known here)', () => {
    const replicas = [replica('1', 'old'), replica('2', 'old', { successor: 'elsewhere' })];
    expect(planReconcile({ replicas, servers: null, desired: 2, creating: 0, rollout: engine(true) })).toEqual([]);
  });

  it('holds a lower count while the engine updates, and drains the surplus once it is done', () => {
    const replicas = [replica('1', 'new'), replica('2', 'new'), replica('3', 'old')];
    expect(planReconcile({ replicas, servers: null, desired: 2, creating: 0, rollout: engine(true) })).toEqual([]);
    expect(planReconcile({ replicas, servers: null, desired: 2, creating: 0, rollout: engine(false) })).toEqual([{ type: 'drain', id: '3' }]);
  });

  it('holds a raised count too while the engine updates (a count change restarts its update), and fills it after', () => {
    const replicas = [replica('1', 'new'), replica('2', 'old')];
    expect(planReconcile({ replicas, servers: null, desired: 3, creating: 0, rollout: engine(true) })).toEqual([]);
    expect(planReconcile({ replicas, servers: null, desired: 3, creating: 0, rollout: engine(false) })).toEqual([{ type: 'create', count: 1 }]);
  });

  it('does not count a replica whose task is gone while its bring-up still holds it: no old one is drained for it', () => {
    const replicas = [replica('1', 'old'), replica('2', 'old'), replica('3', 'old'), replica('4', 'new', { state: 'starting', busy: true, running: false })];
    expect(planReconcile({ replicas, servers: null, desired: 3, creating: 0, rollout: engine(false) })).toEqual([]);
  });

  it('in a model of Swarm replacing slot by slot, drains every old replica before Swarm stops it and never serves fewer than desired', () => {
    // Swarm: each tick, a slot without a replacement gets one (starting); a starting one is ready the next tick
    // (ScaleDeck brought it up within the health check's interval); Swarm stops the old one the tick after that.
    let replicas = [replica('1', 'old'), replica('2', 'old'), replica('3', 'old')];
    const servingCounts: number[] = [];
    const stoppedWhile: string[] = [];
    let next = 10;
    for (let tick = 0; tick < 20; tick++) {
      const ready = new Set(replicas.filter((r) => r.generation === 'new' && r.state === 'ready').map((r) => r.id));
      for (const r of replicas.filter((o) => o.successor && ready.has(o.successor))) stoppedWhile.push(`${r.id}:${r.state}`);
      replicas = replicas.filter((r) => !(r.successor && ready.has(r.successor)));
      replicas = replicas.map((r) => (r.state === 'starting' ? { ...r, state: 'ready' as const, registered: true } : r));
      const waiting = replicas.find((r) => r.generation === 'old' && !r.successor);
      if (waiting && !replicas.some((r) => r.state === 'starting')) {
        const id = String(next++);
        replicas = [...replicas.map((r) => (r === waiting ? { ...r, successor: id } : r)), replica(id, 'new', { state: 'starting', registered: false })];
      }
      servingCounts.push(replicas.filter((r) => r.state === 'ready').length);
      for (const action of planReconcile({ replicas, servers: null, desired: 3, creating: 0, rollout: engine(replicas.some((r) => r.generation === 'old')) })) {
        // The controller brings a starting replica up (into HAProxy); the plan has nothing else to do but drain.
        expect(['drain', 'bringUp']).toContain(action.type);
        if (action.type === 'drain') replicas = replicas.map((r) => (r.id === action.id ? { ...r, state: 'draining' as const } : r));
      }
    }
    expect(replicas.every((r) => r.generation === 'new' && isActive(r.state))).toBe(true);
    expect(stoppedWhile).toEqual(['1:draining', '2:draining', '3:draining']);
    expect(Math.min(...servingCounts)).toBeGreaterThanOrEqual(3);
  });
});

const v1: ReplicaSpec = { image: 'scaledeck/api:v1', containerPort: 8000, healthPath: '/healthz', cpuLimit: 0.5, memoryLimitMb: 128 };
const v2: ReplicaSpec = { ...v1, image: 'scaledeck/api:v2' };

/** Lets a hand-over to the engine (started by sync, not awaited by it) settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

class FakeEngine implements RollingEngine {
  generation = generationOf(v1);
  update: EngineUpdate | null = { state: 'completed', message: 'update completed', startedAt: 'T0' };
  rolls: { image: string; again: boolean }[] = [];
  refuse: string | null = null;
  /** Like a listing taken before Swarm answered: the template seen stays the old one until catchUp(). */
  lagging = false;
  private pending: (() => void) | null = null;
  catchUp() {
    this.pending?.();
    this.pending = null;
  }
  template() {
    return { generation: this.generation, update: this.update };
  }
  async rollTo(spec: ReplicaSpec, options: { again?: boolean } = {}) {
    this.rolls.push({ image: spec.image, again: options.again ?? false });
    if (this.refuse) throw new Error(this.refuse);
    const startedAt = `T${this.rolls.length}`;
    const apply = () => {
      this.generation = generationOf(spec);
      this.update = { state: 'updating', message: 'update in progress', startedAt };
    };
    if (this.lagging) this.pending = apply;
    else apply();
  }
}

function world(store = rolloutRecordInMemory()) {
  const fake = new FakeEngine();
  const clock = new FakeClock();
  let spec = v1;
  const events: string[] = [];
  const rollout = new Rollout({
    clock, spec: () => spec, surge: () => 1, deadlineS: () => 5, store, engine: fake,
    onEvent: (_kind, message) => events.push(message), onChange: () => undefined,
  });
  const tasks = (generation: string, count = 2): ReplicaInRollout[] =>
    Array.from({ length: count }, (_, i) => ({ id: `t${i}`, name: `t${i}`, state: 'ready', running: true, generation }));
  return {
    rollout, engine: fake, events, store, tasks, clock,
    change(to: ReplicaSpec) {
      rollout.begin(spec, to);
      spec = to;
    },
  };
}

describe('Rollout following an engine that rolls out itself', () => {
  it('hands a changed spec to the engine once, and asks the plan for no replica of its own', async () => {
    const w = world();
    await w.rollout.sync();
    expect(w.engine.rolls).toEqual([]);
    w.change(v2);
    await w.rollout.sync();
    await w.rollout.sync();
    expect(w.engine.rolls).toEqual([{ image: 'scaledeck/api:v2', again: false }]);
    const input = w.rollout.observe(w.tasks(generationOf(v1)));
    expect(input.engine).toEqual({ updating: true });
    expect(w.rollout.view()).toMatchObject({ state: 'running', replaced: 0, total: 2 });
    expect(w.rollout.observe([...w.tasks(generationOf(v1), 1), { id: 'n', name: 'n', state: 'ready', running: true, generation: generationOf(v2) }]).engine).toEqual({ updating: true });
    expect(w.rollout.view()).toMatchObject({ replaced: 1, total: 2 });
    w.engine.update = { ...w.engine.update!, state: 'completed' };
    w.rollout.observe(w.tasks(generationOf(v2)));
    expect(w.rollout.view().state).toBe('idle');
    expect(w.events.at(-1)).toMatch(/finished: 2 replaced/);
  });

  it('pauses when the engine rolls its update back, keeps the engine on the old version, and tells where the engine is', async () => {
    const w = world();
    w.change(v2);
    await w.rollout.sync();
    w.rollout.observe(w.tasks(generationOf(v1)));
    w.engine.update = { state: 'rollback_started', message: 'update rolled back due to failure or early termination of task abc', startedAt: 'T1' };
    w.engine.generation = generationOf(v1);
    w.rollout.observe(w.tasks(generationOf(v1)));
    expect(w.rollout.view()).toMatchObject({ state: 'paused', canRollBack: true });
    expect(w.rollout.view().reason).toMatch(/^Swarm is rolling the update back/);
    w.engine.update = { state: 'rollback_completed', message: 'rollback completed', startedAt: 'T1' };
    w.rollout.observe(w.tasks(generationOf(v1)));
    expect(w.rollout.view().reason).toBe('Swarm rolled the update back: the old tasks serve (rollback completed)');
    await w.rollout.sync();
    expect(w.engine.rolls).toHaveLength(1);
    expect(w.events.some((e) => /Rollout paused after .* Swarm is rolling the update back/.test(e))).toBe(true);
  });

  /** v2 handed to Swarm, Swarm rolled it back to v1, then a person pressed retry. */
  async function retriedAfterSwarmRolledBack() {
    const w = world();
    w.change(v2);
    await w.rollout.sync();
    await settle();
    w.rollout.observe(w.tasks(generationOf(v1)));
    w.engine.update = { state: 'rollback_completed', message: 'rollback completed', startedAt: 'T1' };
    w.engine.generation = generationOf(v1);
    w.rollout.observe(w.tasks(generationOf(v1)));
    expect(w.rollout.retry()).toBe(true);
    return w;
  }

  it('retries by forcing the engine to update again', async () => {
    const w = await retriedAfterSwarmRolledBack();
    await w.rollout.sync();
    expect(w.engine.rolls).toEqual([{ image: 'scaledeck/api:v2', again: false }, { image: 'scaledeck/api:v2', again: true }]);
    w.rollout.observe(w.tasks(generationOf(v1)));
    expect(w.rollout.view().state).toBe('running');
  });

  it('reports a spec the engine refused, and hands it over again only after a pause', async () => {
    const w = world();
    w.engine.refuse = 'image scaledeck/api:v2 not found: build it with `npm run image`';
    w.change(v2);
    await w.rollout.sync();
    await settle();
    expect(w.events.at(-1)).toMatch(/^Could not hand v2 [0-9a-f]{8} to Swarm: image scaledeck\/api:v2 not found.*\(trying again in 5 s\)$/);
    await w.rollout.sync();
    expect(w.engine.rolls).toHaveLength(1);
    w.engine.refuse = null;
    await w.clock.advance(5_000);
    await w.rollout.sync();
    expect(w.engine.rolls).toHaveLength(2);
  });

  it('hands a spec over once: passes before the listing shows Swarm updating do not hand it again', async () => {
    const w = world();
    w.engine.lagging = true;
    w.change(v2);
    for (let pass = 0; pass < 3; pass++) {
      await w.rollout.sync();
      await settle();
    }
    expect(w.engine.rolls).toHaveLength(1);
    w.engine.catchUp();
    await w.rollout.sync();
    expect(w.engine.rolls).toHaveLength(1);
  });

  it('hands a change made while Swarm updates over only once that update has ended', async () => {
    const w = world();
    w.change(v2);
    await w.rollout.sync();
    await settle();
    const v3 = { ...v2, cpuLimit: 1 };
    w.change(v3);
    await w.rollout.sync();
    expect(w.engine.rolls.map((r) => r.image)).toEqual(['scaledeck/api:v2']);
    w.engine.update = { ...w.engine.update!, state: 'completed' };
    await w.rollout.sync();
    expect(w.engine.rolls).toHaveLength(2);
  });

  it('after a retry, a pass that still sees the earlier rollback does not pause again', async () => {
    const w = await retriedAfterSwarmRolledBack();
    // A pass already under way observes before its next sync has handed the spec over again.
    w.rollout.observe(w.tasks(generationOf(v1)));
    expect(w.rollout.view().state).toBe('running');
  });

  it('is not paused by an update the engine gave up on before this rollout asked for one', async () => {
    const w = world();
    w.engine.update = { state: 'rollback_completed', message: 'rollback completed', startedAt: 'T-old' };
    w.change(v2);
    // The plan sees the old replicas before the spec reached the engine (sync runs first in practice, but not always).
    w.rollout.observe(w.tasks(generationOf(v1)));
    expect(w.rollout.view().state).toBe('running');
    await w.rollout.sync();
    expect(w.engine.rolls).toHaveLength(1);
  });

  it('after a restart mid-rollout, reports the rollback the engine did meanwhile', async () => {
    const first = world();
    first.change(v2);
    await first.rollout.sync();
    first.rollout.observe(first.tasks(generationOf(v1)));
    const engineLater = new FakeEngine();
    engineLater.update = { state: 'rollback_completed', message: 'rollback completed', startedAt: 'T1' };
    expect(first.store.load()).toMatchObject({ total: 2, paused: null });
    const restarted = new Rollout({
      clock: new FakeClock(), spec: () => v2, surge: () => 1, deadlineS: () => 5, store: first.store, engine: engineLater,
      onEvent: () => undefined, onChange: () => undefined,
    });
    restarted.observe(first.tasks(generationOf(v1)));
    expect(restarted.view().state).toBe('paused');
    await restarted.sync();
    expect(engineLater.rolls).toEqual([]);
  });
});

describe('Rollout.steady: whether a count change may be planned without the rollout step', () => {
  it('holds with every replica of the settings’ generation and the engine idle on that template', () => {
    const w = world();
    expect(w.rollout.steady(w.tasks(generationOf(v1)))).toBe(true);
  });

  it('does not hold from a settings change on: old replicas, a template still old, the engine updating', async () => {
    const w = world();
    w.change(v2);
    expect(w.rollout.steady(w.tasks(generationOf(v1)))).toBe(false);
    expect(w.rollout.steady([])).toBe(false);
    await w.rollout.sync();
    expect(w.rollout.steady(w.tasks(generationOf(v2)))).toBe(false);
    await settle();
    expect(w.rollout.steady(w.tasks(generationOf(v2)))).toBe(false);
    w.engine.update = { ...w.engine.update!, state: 'completed' };
    expect(w.rollout.steady(w.tasks(generationOf(v2)))).toBe(true);
  });

  it('does not hold while a rollout of its own runs, and holds again once it finished', () => {
    const clock = new FakeClock();
    let spec = v1;
    const rollout = new Rollout({
      clock, spec: () => spec, surge: () => 1, deadlineS: () => 5, store: rolloutRecordInMemory(), onEvent: () => undefined, onChange: () => undefined,
    });
    const replica = (generation: string): ReplicaInRollout => ({ id: generation, name: generation, state: 'ready', running: true, generation });
    rollout.begin(v1, v2);
    spec = v2;
    rollout.observe([replica(generationOf(v1))]);
    expect(rollout.view().state).toBe('running');
    expect(rollout.steady([replica(generationOf(v2))])).toBe(false);
    rollout.observe([replica(generationOf(v2))]);
    expect(rollout.steady([replica(generationOf(v2))])).toBe(true);
  });
});
