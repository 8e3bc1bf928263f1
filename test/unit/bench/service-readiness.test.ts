// Specification of the services figure's steady state: every service with exactly its count, all ready, and the same replicas after the window.
import { describe, expect, it } from 'vitest';
import { notReadyYet, replicaIds, replicaTurnover } from '../../bench/service-readiness.js';

type State = 'starting' | 'ready' | 'draining';
const service = (name: string, states: State[]) => ({ name, replicas: states.map((state, i) => ({ id: `${name}-${i}`, state })) });

describe('notReadyYet', () => {
  it('is null when every named service has exactly the count, all ready', () => {
    const views = [service('web', ['ready', 'ready']), service('s2', ['ready', 'ready'])];
    expect(notReadyYet(views, ['web', 's2'], 2)).toBeNull();
  });

  it('names each service still starting replicas, with how many are ready', () => {
    const views = [service('web', ['ready', 'ready']), service('s2', ['ready', 'starting'])];
    expect(notReadyYet(views, ['web', 's2'], 2)).toBe('s2 1 of 2 ready (2 in all)');
  });

  it('is not satisfied by more replicas than the count, even when enough of them are ready', () => {
    expect(notReadyYet([service('web', ['ready', 'ready', 'draining'])], ['web'], 2)).toBe('web 2 of 2 ready (3 in all)');
  });

  it('names a service the listing does not have yet', () => {
    expect(notReadyYet([service('web', ['ready'])], ['web', 's2'], 1)).toBe('s2 not listed');
  });

  it('ignores services it was not asked about', () => {
    expect(notReadyYet([service('web', ['ready']), service('s2', [])], ['web'], 1)).toBeNull();
  });
});

describe('replicaTurnover', () => {
  it('is null when the same replicas are listed before and after, in any order', () => {
    const before = replicaIds([service('web', ['ready', 'ready']), service('s2', ['ready'])]);
    const after = replicaIds([service('s2', ['ready']), service('web', ['ready', 'ready'])]);
    expect(replicaTurnover(before, after)).toBeNull();
  });

  it('says which replicas went and which came, by service', () => {
    expect(replicaTurnover(['web/a', 'web/b'], ['web/a', 'web/c'])).toBe('gone: web/b; new: web/c');
  });

  it('tells apart replicas of the same id in different services', () => {
    expect(replicaIds([{ name: 'web', replicas: [{ id: 'x', state: 'ready' }] }, { name: 's2', replicas: [{ id: 'x', state: 'ready' }] }])).toEqual(['s2/x', 'web/x']);
  });
});
