import { describe, expect, it } from 'vitest';
import { planReconcile } from '../../../electron/core/service/reconcile.js';
import type { ReplicaFacts } from '../../../electron/core/service/replica-facts.js';

const replica = (id: string, overrides: Partial<ReplicaFacts> = {}): ReplicaFacts => ({
  id, name: `r-${id}`, state: 'ready', startedAt: Number(id.replace(/\D/g, '')) || 0, running: true, registered: true, busy: false, ...overrides,
});
const servers = (...names: string[]) => names.map((name) => ({ name }));

describe('planReconcile', () => {
  it('does nothing when the ready replicas match the desired count and HAProxy agrees', () => {
    expect(planReconcile({ replicas: [replica('1'), replica('2')], servers: servers('r-1', 'r-2'), desired: 2, creating: 0 })).toEqual([]);
  });

  it('creates the missing replicas in one action', () => {
    expect(planReconcile({ replicas: [replica('1')], servers: servers('r-1'), desired: 4, creating: 0 })).toEqual([{ type: 'create', count: 3 }]);
  });

  it('counts replicas being created, so a second tick does not create them twice', () => {
    expect(planReconcile({ replicas: [replica('1')], servers: servers('r-1'), desired: 4, creating: 3 })).toEqual([]);
  });

  it('counts starting replicas as on their way', () => {
    const starting = replica('2', { state: 'starting', busy: true, registered: false });
    expect(planReconcile({ replicas: [replica('1'), starting], servers: servers('r-1'), desired: 2, creating: 0 })).toEqual([]);
  });

  it('drains the newest replicas first on scale-in', () => {
    const actions = planReconcile({ replicas: [replica('1'), replica('3'), replica('2'), replica('4')], servers: servers('r-1', 'r-2', 'r-3', 'r-4'), desired: 2, creating: 0 });
    expect(actions).toEqual([{ type: 'drain', id: '4' }, { type: 'drain', id: '3' }]);
  });

  it('drains in the engine\'s removal order when it gives one (Swarm picks its own victims), not newest first', () => {
    const replicas = [replica('1'), replica('2'), replica('3'), replica('4')];
    const actions = planReconcile({ replicas, servers: servers('r-1', 'r-2', 'r-3', 'r-4'), desired: 2, creating: 0, removalOrder: ['2', '1', '4', '3'] });
    expect(actions).toEqual([{ type: 'drain', id: '2' }, { type: 'drain', id: '1' }]);
  });

  it('drains first a replica whose server an earlier run left draining, and does not also bring it up', () => {
    const leftDraining = replica('1', { state: 'starting', leftDraining: true });
    const actions = planReconcile({ replicas: [leftDraining, replica('2'), replica('3')], servers: servers('r-1', 'r-2', 'r-3'), desired: 2, creating: 0 });
    expect(actions).toEqual([{ type: 'drain', id: '1' }]);
  });

  it('drains replicas missing from the removal order last', () => {
    const replicas = [replica('1'), replica('2'), replica('3')];
    const actions = planReconcile({ replicas, servers: servers('r-1', 'r-2', 'r-3'), desired: 1, creating: 0, removalOrder: ['3'] });
    expect(actions[0]).toEqual({ type: 'drain', id: '3' });
    expect(actions).toHaveLength(2);
  });

  it('does not count draining replicas, and does not drain one twice', () => {
    const draining = replica('3', { state: 'draining', busy: true });
    expect(planReconcile({ replicas: [replica('1'), replica('2'), draining], servers: servers('r-1', 'r-2', 'r-3'), desired: 2, creating: 0 })).toEqual([]);
  });

  it('reaps a replica whose process exited and replaces it', () => {
    const dead = replica('2', { running: false });
    expect(planReconcile({ replicas: [replica('1'), dead], servers: servers('r-1', 'r-2'), desired: 2, creating: 0 })).toEqual([
      { type: 'reap', id: '2' },
      { type: 'create', count: 1 },
    ]);
  });

  it('reaps a replica that failed to become healthy', () => {
    const failed = replica('2', { state: 'failed', registered: false });
    expect(planReconcile({ replicas: [replica('1'), failed], servers: servers('r-1'), desired: 2, creating: 0 })).toEqual([
      { type: 'reap', id: '2' },
      { type: 'create', count: 1 },
    ]);
  });

  it('leaves a dead replica alone while a job still works on it', () => {
    const busy = replica('2', { running: false, busy: true, state: 'draining' });
    expect(planReconcile({ replicas: [replica('1'), busy], servers: servers('r-1', 'r-2'), desired: 1, creating: 0 })).toEqual([]);
  });

  it('registers every ready replica again after HAProxy lost its servers (a restart)', () => {
    const actions = planReconcile({ replicas: [replica('1', { registered: false }), replica('2', { registered: false })], servers: [], desired: 2, creating: 0 });
    expect(actions).toEqual([{ type: 'register', id: '1' }, { type: 'register', id: '2' }]);
  });

  it('removes servers that no replica of ours stands behind', () => {
    expect(planReconcile({ replicas: [replica('1')], servers: servers('r-1', 'ghost'), desired: 1, creating: 0 })).toEqual([{ type: 'deregister', name: 'ghost' }]);
  });

  it('touches no server and registers nothing while HAProxy cannot be asked', () => {
    expect(planReconcile({ replicas: [replica('1', { registered: false })], servers: null, desired: 1, creating: 0 })).toEqual([]);
  });

  it('brings up a starting replica that nobody is bringing up (adopted mid-start)', () => {
    const adopted = replica('1', { state: 'starting', registered: false });
    expect(planReconcile({ replicas: [adopted], servers: [], desired: 1, creating: 0 })).toEqual([{ type: 'bringUp', id: '1' }]);
  });

  it('scales to zero by draining everything', () => {
    expect(planReconcile({ replicas: [replica('1'), replica('2')], servers: servers('r-1', 'r-2'), desired: 0, creating: 0 })).toEqual([
      { type: 'drain', id: '2' },
      { type: 'drain', id: '1' },
    ]);
  });
});
