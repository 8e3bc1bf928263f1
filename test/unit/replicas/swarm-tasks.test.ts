// How Swarm tasks become replicas, which ones Swarm removes first on scale-in, and how the driver removes one task.
import { describe, expect, it } from 'vitest';
import {
  claimableSlots, isServing, isStarting, publishedPort, removalPlan, replicaFromTask, replicaName, stoppingForSuccessor, successors, swarmRemovalOrder, type SlotFacts,
  type SwarmTask,
} from '../../../electron/core/replicas/swarm/tasks.js';

function task(id: string, slot: number, overrides: { node?: string; state?: string; desired?: string; port?: number } = {}): SwarmTask {
  const port = overrides.port ?? 30000 + slot;
  return {
    ID: id,
    ServiceID: 'svc',
    NodeID: overrides.node ?? 'node-a',
    Slot: slot,
    CreatedAt: '2026-01-01T00:00:00.000Z',
    DesiredState: overrides.desired ?? 'running',
    Status: {
      Timestamp: '2026-01-01T00:00:05.250Z',
      State: overrides.state ?? 'running',
      // Docker 20.10 lists each host-mode port twice.
      PortStatus: { Ports: [0, 1].map(() => ({ Protocol: 'tcp', TargetPort: 8000, PublishedPort: port, PublishMode: 'host' })) },
    },
  };
}

describe('replicaFromTask', () => {
  it('maps a running task to a replica on its node address and published port', () => {
    const replica = replicaFromTask(task('k3jd8wq0x7zq2m1y4c5v6b7n8', 3), { service: 'scaledeck-api', host: '10.0.0.7', containerPort: 8000 });
    expect(replica).toEqual({
      id: 'k3jd8wq0x7zq2m1y4c5v6b7n8',
      name: 'scaledeck-api-3-k3jd8w',
      host: '10.0.0.7',
      hostPort: 30003,
      startedAt: Date.parse('2026-01-01T00:00:05.250Z'),
      running: true,
      slot: 3,
    });
  });

  it('gives names HAProxy accepts whatever the service is called', () => {
    expect(replicaName('my_app.web', task('abcdef123', 2))).toBe('my-app-web-2-abcdef');
  });

  it('reads no port while the task has none published for the container port', () => {
    const pending = task('p', 1, { state: 'starting' });
    pending.Status.PortStatus = undefined;
    expect(publishedPort(pending, 8000)).toBe(0);
    expect(publishedPort(task('t', 1), 9000)).toBe(0);
  });

  it('counts as serving only a task Swarm wants running that is running', () => {
    expect(isServing(task('a', 1))).toBe(true);
    expect(isServing(task('b', 1, { state: 'starting' }))).toBe(false);
    expect(isServing(task('c', 1, { desired: 'shutdown' }))).toBe(false);
    expect(isServing(task('d', 1, { state: 'failed' }))).toBe(false);
  });
});

describe('swarmRemovalOrder', () => {
  const facts = (id: string, slot: number, node = 'n1', running = true): SlotFacts => ({ id, node, slot, running });

  it('removes the highest slot first on one node, whatever the tasks’ ages', () => {
    expect(swarmRemovalOrder([facts('s2', 2), facts('s5', 5), facts('s1', 1), facts('s3', 3)])).toEqual(['s5', 's3', 's2', 's1']);
  });

  it('removes tasks that are not running before running ones', () => {
    expect(swarmRemovalOrder([facts('s1', 1, 'n1', false), facts('s2', 2), facts('s3', 3)])).toEqual(['s1', 's3', 's2']);
  });

  it('removes from the node with the most copies first, to stay balanced', () => {
    const order = swarmRemovalOrder([facts('a1', 1, 'A'), facts('a2', 2, 'A'), facts('a3', 3, 'A'), facts('b4', 4, 'B')]);
    expect(order.slice(0, 2)).toEqual(['a3', 'a2']);
  });

  it('removes unassigned tasks first', () => {
    expect(swarmRemovalOrder([facts('s1', 1), facts('s2', 2, '', false), facts('s3', 3)])[0]).toBe('s2');
  });
});

describe('removalPlan', () => {
  const local = 'node-a';

  it('lowers the count alone when the task is the one Swarm removes next', () => {
    expect(removalPlan('t3', [task('t1', 1), task('t2', 2), task('t3', 3)], local)).toBe('scale-down');
  });

  it('stops another task first on a one-node swarm, so Swarm removes exactly that one', () => {
    expect(removalPlan('t2', [task('t1', 1), task('t2', 2), task('t3', 3)], local)).toBe('stop-then-scale-down');
  });

  it('waits while another node’s task goes first', () => {
    const tasks = [task('t1', 1), task('t2', 2, { node: 'node-b' }), task('t3', 3, { node: 'node-b' })];
    expect(removalPlan('t1', tasks, local)).toBe('wait');
  });

  it('leaves a task that has stopped to Swarm, which fills its slot', () => {
    expect(removalPlan('t2', [task('t1', 1), task('t2', 2, { state: 'failed' })], local)).toBe('gone');
    expect(removalPlan('t2', [task('t1', 1), task('t2', 2, { desired: 'shutdown', state: 'complete' })], local)).toBe('gone');
    expect(removalPlan('unknown', [task('t1', 1)], local)).toBe('gone');
  });
});

describe('claimableSlots', () => {
  it('offers a slot whose task nobody has yet: Swarm’s replacement of a dead task', () => {
    const tasks = [task('t1', 1), task('dead', 2, { desired: 'shutdown', state: 'failed' }), task('new', 2, { desired: 'ready', state: 'ready' })];
    expect(claimableSlots(tasks, new Set(['t1', 'dead']), new Set())).toEqual([2]);
  });

  it('offers the slot of a handed-out task that stopped before Swarm replaced it', () => {
    expect(claimableSlots([task('t1', 1), task('t2', 2, { state: 'failed' })], new Set(['t1', 't2']), new Set())).toEqual([2]);
  });

  it('never offers a slot handed out or claimed by another create', () => {
    const tasks = [task('t1', 1), task('t2', 2, { state: 'pending' }), task('t3', 3, { state: 'pending' })];
    expect(claimableSlots(tasks, new Set(['t1']), new Set([2]))).toEqual([3]);
    expect(claimableSlots(tasks, new Set(['t1', 't3']), new Set([2]))).toEqual([]);
  });
});

describe("Swarm's rolling update, task by task", () => {
  const at = (t: SwarmTask, createdAt: string, labels?: Record<string, string>): SwarmTask => ({ ...t, CreatedAt: createdAt, ...(labels ? { Spec: { ContainerSpec: { Labels: labels } } } : {}) });
  const old1 = at(task('old1', 1), '2026-01-01T00:00:00.000Z');
  const old2 = at(task('old2', 2), '2026-01-01T00:00:00.000Z');
  const new2 = at(task('new2', 2, { state: 'starting' }), '2026-01-01T00:01:00.000000001Z');

  it('names the old task of a slot where Swarm started a newer one as the one it replaces', () => {
    expect([...successors([old1, old2, new2])]).toEqual([['old2', 'new2']]);
    // The newest wins even when the listing comes in another order.
    expect([...successors([new2, old2, old1])]).toEqual([['old2', 'new2']]);
  });

  it('sees no replacement in a slot whose old task Swarm no longer wants, nor in a restart of a dead task', () => {
    const stopping = { ...old2, DesiredState: 'shutdown' };
    expect(successors([old1, stopping, new2]).size).toBe(0);
    const dead = { ...old2, DesiredState: 'shutdown', Status: { ...old2.Status, State: 'failed' } };
    expect(successors([dead, new2]).size).toBe(0);
  });

  it('keeps an old task Swarm is stopping for its running successor (on another node) as replaced by it', () => {
    const running2 = { ...new2, Status: { State: 'running' } };
    const stopping = { ...old2, DesiredState: 'shutdown' };
    expect([...stoppingForSuccessor([old1, stopping, running2])]).toEqual([['old2', 'new2']]);
    // Not while the successor only starts, nor once the old container has exited, nor for a plain scale-in.
    expect(stoppingForSuccessor([old1, stopping, new2]).size).toBe(0);
    expect(stoppingForSuccessor([{ ...stopping, Status: { State: 'shutdown' } }, running2]).size).toBe(0);
    expect(stoppingForSuccessor([old1, stopping]).size).toBe(0);
  });

  it('leaves a replaced task to Swarm instead of lowering the count', () => {
    expect(removalPlan('old2', [old1, old2, new2], 'node-a')).toBe('replaced');
    expect(removalPlan('old1', [old1, old2, new2], 'node-a')).not.toBe('replaced');
  });

  it("reads a task's generation and health path from its container labels, and a starting task's port from its container", () => {
    const labelled = at(task('new2', 2, { state: 'starting' }), new2.CreatedAt!, { 'scaledeck.generation': '3fa2c1b0', 'scaledeck.health-path': '/ready', 'scaledeck.image': 'scaledeck/api:v2' });
    labelled.Status.PortStatus = undefined;
    const replica = replicaFromTask(labelled, { service: 'svc', host: '127.0.0.1', containerPort: 8000, localPort: 32801, successor: undefined });
    expect(replica).toMatchObject({ generation: '3fa2c1b0', healthPath: '/ready', image: 'scaledeck/api:v2', hostPort: 32801, running: true });
    expect(isStarting(labelled)).toBe(true);
    const replaced = replicaFromTask(old2, { service: 'svc', host: '127.0.0.1', containerPort: 8000, image: 'scaledeck/api:v1', successor: 'new2' });
    expect(replaced).toMatchObject({ successor: 'new2', image: 'scaledeck/api:v1' });
    expect(replaced).not.toHaveProperty('generation');
  });
});
