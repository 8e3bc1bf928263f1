// Adopting what the engine lists: a task the engine is stopping for its successor is adopted only while HAProxy has it.
import { describe, expect, it } from 'vitest';
import { TrackedReplicas } from '../../../electron/core/service/tracked-replicas.js';
import type { ObservedReplica } from '../../../electron/core/replicas/replica-driver.js';

const task = (id: string, overrides: Partial<ObservedReplica> = {}): ObservedReplica => ({
  id, name: `web-${id}`, host: '10.0.0.2', hostPort: 32768, startedAt: 1, running: true, ...overrides,
});

function adopt(observed: ObservedReplica[], serverNames: string[]): string[] {
  const tracked = new TrackedReplicas();
  const adopted: string[] = [];
  const servers = serverNames.map((name) => ({ name, address: '10.0.0.2', port: 32768, up: true, maint: false, draining: false }));
  tracked.observe({ observed, servers, observedAfter: 0, creating: 0, standby: () => 0, onAdopted: (o) => adopted.push(o.id) });
  return adopted;
}

describe('adopting replicas the engine lists', () => {
  it('leaves out a task being stopped for its successor once it is out of HAProxy (drained before a restart)', () => {
    expect(adopt([task('old', { successor: 'new' }), task('new')], ['web-new'])).toEqual(['new']);
  });

  it('adopts such a task while it is still in HAProxy, so it is drained before the engine stops it', () => {
    expect(adopt([task('old', { successor: 'new' }), task('new')], ['web-old', 'web-new'])).toEqual(['old', 'new']);
  });
});
