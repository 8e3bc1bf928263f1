// Warm spares in the pure reconcile plan: promoted first on a scale-out, refilled behind, never counted as serving.
import { describe, expect, it } from 'vitest';
import { planReconcile } from '../../../electron/core/service/reconcile.js';
import type { ReplicaFacts } from '../../../electron/core/service/replica-facts.js';

const replica = (id: string, overrides: Partial<ReplicaFacts> = {}): ReplicaFacts => ({
  id, name: `r-${id}`, state: 'ready', startedAt: Number(id), running: true, registered: true, busy: false, ...overrides,
});
const spare = (id: string, overrides: Partial<ReplicaFacts> = {}) => replica(id, { state: 'standby', ...overrides });
const servers = (...replicas: ReplicaFacts[]) => replicas.map((r) => ({ name: r.name }));

describe('planReconcile with warm spares', () => {
  it('keeps the spares beside the desired count and does nothing when both are met', () => {
    const replicas = [replica('1'), spare('2')];
    expect(planReconcile({ replicas, servers: servers(...replicas), desired: 1, creating: 0, standby: 1 })).toEqual([]);
  });

  it('creates the missing spares as spares, not as serving replicas', () => {
    const replicas = [replica('1')];
    expect(planReconcile({ replicas, servers: servers(...replicas), desired: 1, creating: 0, standby: 2 })).toEqual([{ type: 'createSpare', count: 2 }]);
  });

  it('takes the oldest spares into rotation on a scale-out, creates only the rest, and refills the spares', () => {
    const replicas = [replica('1'), spare('3'), spare('2')];
    const actions = planReconcile({ replicas, servers: servers(...replicas), desired: 4, creating: 0, standby: 2 });
    expect(actions).toEqual([{ type: 'promote', id: '2' }, { type: 'promote', id: '3' }, { type: 'create', count: 1 }, { type: 'createSpare', count: 2 }]);
  });

  it('wakes from zero on a spare', () => {
    const replicas = [spare('1')];
    const actions = planReconcile({ replicas, servers: servers(...replicas), desired: 1, creating: 0, standby: 1 });
    expect(actions).toEqual([{ type: 'promote', id: '1' }, { type: 'createSpare', count: 1 }]);
  });

  it('does not count a spare being brought up as serving, nor create another for it', () => {
    const replicas = [replica('1'), replica('2', { state: 'starting', spare: true, busy: true })];
    expect(planReconcile({ replicas, servers: servers(replicas[0]!), desired: 2, creating: 0, standby: 1 })).toEqual([{ type: 'create', count: 1 }]);
    expect(planReconcile({ replicas, servers: servers(replicas[0]!), desired: 1, creating: 0, standby: 1, creatingSpares: 0 })).toEqual([]);
  });

  it('never drains a spare for a scale-in, and trims extra spares newest first', () => {
    const replicas = [replica('1'), replica('2'), spare('3'), spare('4')];
    expect(planReconcile({ replicas, servers: servers(...replicas), desired: 1, creating: 0, standby: 2 })).toEqual([{ type: 'drain', id: '2' }]);
    expect(planReconcile({ replicas, servers: servers(...replicas), desired: 2, creating: 0, standby: 1 })).toEqual([{ type: 'drain', id: '4' }]);
  });

  it('registers a spare again after HAProxy lost it', () => {
    const replicas = [replica('1'), spare('2', { registered: false })];
    expect(planReconcile({ replicas, servers: servers(replicas[0]!), desired: 1, creating: 0, standby: 1 })).toEqual([{ type: 'register', id: '2' }]);
  });

  it('replaces a spare of an older generation instead of promoting it, and keeps spares out of a rollout', () => {
    const rollout = { generation: 'g2', surge: 1, paused: false };
    const replicas = [replica('1', { generation: 'g2' }), spare('2', { generation: 'g1' })];
    expect(planReconcile({ replicas, servers: servers(...replicas), desired: 1, creating: 0, standby: 1, rollout })).toEqual([
      { type: 'drain', id: '2' }, { type: 'createSpare', count: 1 },
    ]);
    const scaleOut = planReconcile({ replicas, servers: servers(...replicas), desired: 2, creating: 0, standby: 1, rollout });
    expect(scaleOut).toContainEqual({ type: 'create', count: 1 });
    expect(scaleOut).not.toContainEqual({ type: 'promote', id: '2' });
  });
});
