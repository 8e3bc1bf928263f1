// What ScaleDeck says when a swarm node holding its tasks is lost, and when it is back: once each.
import { describe, expect, it } from 'vitest';
import { nodeChanges, type NodeFacts } from '../../../electron/core/replicas/swarm/swarm-nodes.js';
import type { SwarmTask } from '../../../electron/core/replicas/swarm/tasks.js';

const task = (id: string, node: string, state = 'running'): SwarmTask => ({ ID: id, ServiceID: 's', NodeID: node, DesiredState: 'running', Status: { State: state } });
const nodes = (worker: string): Map<string, NodeFacts> => new Map([
  ['m', { name: 'manager-1', address: '10.0.0.1', state: 'ready' }],
  ['w', { name: 'worker-1', address: '10.0.0.2', state: worker }],
]);

describe('swarm node changes', () => {
  it('reports a down node that still has running tasks once, and its return once', () => {
    const lost = new Set<string>();
    const tasks = [task('a', 'm'), task('b', 'w'), task('c', 'w')];
    expect(nodeChanges(nodes('ready'), tasks, lost, 'web')).toEqual([]);
    const [line] = nodeChanges(nodes('down'), tasks, lost, 'web');
    expect(line).toBe('Swarm node worker-1 (10.0.0.2) is down: its tasks of web are out of HAProxy and Swarm starts their replacements on the other nodes');
    expect(nodeChanges(nodes('down'), tasks, lost, 'web')).toEqual([]);
    expect(nodeChanges(nodes('ready'), tasks, lost, 'web')).toEqual(['Swarm node worker-1 (10.0.0.2) is ready again: Swarm may place tasks of web on it']);
    expect(nodeChanges(nodes('ready'), tasks, lost, 'web')).toEqual([]);
  });

  it('says nothing of a node that is down with no running task of ours', () => {
    expect(nodeChanges(nodes('unknown'), [task('a', 'm'), task('b', 'w', 'shutdown')], new Set(), 'web')).toEqual([]);
  });
});
