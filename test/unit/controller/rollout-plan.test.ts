import { describe, expect, it } from 'vitest';
import { planReconcile } from '../../../electron/core/service/reconcile.js';
import { isActive, type ReplicaFacts } from '../../../electron/core/service/replica-facts.js';
import { planRolloutStep } from '../../../electron/core/service/rollout-plan.js';

const replica = (id: string, generation: string | undefined, overrides: Partial<ReplicaFacts> = {}): ReplicaFacts => ({
  id, name: `r-${id}`, state: 'ready', startedAt: Number(id.replace(/\D/g, '')) || 0, running: true, registered: true, busy: false, generation, ...overrides,
});
const rollout = { generation: 'new', surge: 1, paused: false };

/**
 * Runs the plan against a model of the world: a created replica is starting for one tick then ready; a drained one
 * is gone the tick after. Returns the active count seen each tick and the order old replicas were drained in.
 */
function simulate(start: ReplicaFacts[], desired: number, surge = 1, ticks = 40) {
  let replicas = start.map((r) => ({ ...r }));
  let next = 100;
  const activeCounts: number[] = [];
  const drained: string[] = [];
  for (let tick = 0; tick < ticks; tick++) {
    replicas = replicas.filter((r) => r.state !== 'draining').map((r) => (r.state === 'starting' ? { ...r, state: 'ready' as const } : r));
    activeCounts.push(replicas.filter((r) => isActive(r.state)).length);
    const actions = planReconcile({ replicas, servers: null, desired, creating: 0, rollout: { ...rollout, surge } });
    for (const action of actions) {
      if (action.type === 'create') for (let i = 0; i < action.count; i++) replicas.push(replica(String(next++), 'new', { state: 'starting', registered: false }));
      if (action.type === 'drain') {
        drained.push(action.id);
        replicas = replicas.map((r) => (r.id === action.id ? { ...r, state: 'draining' as const } : r));
      }
    }
  }
  return { replicas, activeCounts, drained };
}

describe('planRolloutStep', () => {
  it('does nothing special when every replica is of the current generation', () => {
    expect(planRolloutStep([replica('1', 'new'), replica('2', 'new')], 2, 0, rollout)).toBeNull();
  });

  it('leaves alone replicas made before generations existed instead of replacing them on a guess', () => {
    expect(planRolloutStep([replica('1', undefined), replica('2', 'new')], 2, 0, rollout)).toBeNull();
  });

  it('starts one new replica above the desired count first (surge 1) and drains nothing yet', () => {
    expect(planRolloutStep([replica('1', 'old'), replica('2', 'old')], 2, 0, rollout)).toEqual({ create: 1, drain: [] });
  });

  it('waits while the new replica is starting: no second new one, no old one drained', () => {
    const starting = replica('3', 'new', { state: 'starting', busy: true });
    expect(planRolloutStep([replica('1', 'old'), replica('2', 'old'), starting], 2, 0, rollout)).toEqual({ create: 0, drain: [] });
  });

  it('counts a create in flight as the surge', () => {
    expect(planRolloutStep([replica('1', 'old'), replica('2', 'old')], 2, 1, rollout)).toEqual({ create: 0, drain: [] });
  });

  it('drains the newest old replica once the new one is ready, and starts the next new one at once', () => {
    const step = planRolloutStep([replica('1', 'old'), replica('2', 'old'), replica('3', 'new')], 2, 0, rollout);
    expect(step).toEqual({ create: 1, drain: ['2'] });
  });

  it('replaces every replica without the active count ever dropping below the desired count', () => {
    const { replicas, activeCounts, drained } = simulate([replica('1', 'old'), replica('2', 'old'), replica('3', 'old'), replica('4', 'old')], 4);
    expect(replicas.every((r) => r.generation === 'new')).toBe(true);
    expect(replicas).toHaveLength(4);
    expect(Math.min(...activeCounts)).toBe(4);
    expect(Math.max(...activeCounts)).toBe(5);
    expect(drained).toEqual(['4', '3', '2', '1']);
  });

  it('with a surge of 2 replaces two at a time and still never drops below the desired count', () => {
    const { replicas, activeCounts } = simulate([replica('1', 'old'), replica('2', 'old'), replica('3', 'old'), replica('4', 'old')], 4, 2);
    expect(replicas.filter((r) => isActive(r.state)).map((r) => r.generation)).toEqual(['new', 'new', 'new', 'new']);
    expect(Math.min(...activeCounts)).toBe(4);
    expect(Math.max(...activeCounts)).toBe(6);
  });

  it('while paused starts no new replica and keeps the old ones serving', () => {
    const step = planRolloutStep([replica('1', 'old'), replica('2', 'old')], 2, 0, { ...rollout, paused: true });
    expect(step).toEqual({ create: 0, drain: [] });
  });

  it('while paused still refills the desired count when an old replica is gone', () => {
    const step = planRolloutStep([replica('1', 'old')], 2, 0, { ...rollout, paused: true });
    expect(step).toEqual({ create: 1, drain: [] });
  });

  it('scales in during a rollout by draining old replicas first', () => {
    const step = planRolloutStep([replica('1', 'old'), replica('2', 'old'), replica('3', 'new'), replica('4', 'new')], 1, 0, rollout);
    // Down to the ceiling (desired + surge) with the old ones; once none is old the plain scale-in takes the rest.
    expect(step?.drain.sort()).toEqual(['1', '2']);
    expect(step?.create).toBe(0);
    expect(planReconcile({ replicas: [replica('3', 'new'), replica('4', 'new')], servers: null, desired: 1, creating: 0, rollout })).toEqual([{ type: 'drain', id: '4' }]);
  });

  it('scales out during a rollout with new replicas only', () => {
    const step = planRolloutStep([replica('1', 'old'), replica('2', 'old')], 4, 0, rollout);
    expect(step).toEqual({ create: 3, drain: [] });
  });

  it('drains a new replica still starting before an old serving one when the count went down', () => {
    const starting = replica('3', 'new', { state: 'starting' });
    const step = planRolloutStep([replica('1', 'old'), replica('2', 'old'), starting], 1, 0, rollout);
    expect(step?.drain).toEqual(['3', '2']);
  });
});
