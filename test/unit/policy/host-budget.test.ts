// Specification of the host CPU budget: the sum of every service's replicas at their CPU limits stays within it.
import { describe, expect, it } from 'vitest';
import { withinHostBudget } from '../../../electron/core/policy/host-budget.js';

const services = [{ name: 'web', replicas: 3, cpuLimit: 0.5 }, { name: 'api', replicas: 1, cpuLimit: 0.5 }];

describe('withinHostBudget', () => {
  it('holds a scale-out the budget has no room for, naming what uses it', () => {
    expect(withinHostBudget('api', 1, 2, 2, services)).toEqual({
      allowed: 1, reason: 'api 1 -> 2 held: host CPU budget 2.0 of 2.0 in use (web 3 x 0.5, api 1 x 0.5)',
    });
  });

  it('goes as far as the budget allows, and says where it stopped', () => {
    expect(withinHostBudget('api', 1, 4, 3, services)).toEqual({
      allowed: 3, reason: 'api 1 -> 4 held at 3: host CPU budget 2.0 of 3.0 in use (web 3 x 0.5, api 1 x 0.5)',
    });
  });

  it('lets through what fits exactly, every scale-in, and everything when the budget is off', () => {
    expect(withinHostBudget('api', 1, 3, 3, services)).toEqual({ allowed: 3, reason: null });
    expect(withinHostBudget('web', 3, 1, 0.5, services)).toEqual({ allowed: 1, reason: null });
    expect(withinHostBudget('api', 1, 50, 0, services)).toEqual({ allowed: 50, reason: null });
  });

  it('counts a service\'s warm spares as replicas that hold CPU', () => {
    // api asks for 1 replica and 1 spare: 1.0 of its own, 2.5 in all.
    const withSpare = [{ name: 'web', replicas: 3, cpuLimit: 0.5 }, { name: 'api', replicas: 2, cpuLimit: 0.5 }];
    expect(withinHostBudget('api', 1, 3, 3, withSpare).allowed).toBe(2);
  });
});
