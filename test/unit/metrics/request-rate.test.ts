// Specification of a service's request rate from its backend's cumulative request count.
import { describe, expect, it } from 'vitest';
import { requestRate } from '../../../electron/core/metrics/request-rate.js';

describe('requestRate', () => {
  it('is the requests served between two readings per second', () => {
    expect(requestRate({ total: 100, at: 10_000 }, { total: 150, at: 11_000 })).toBe(50);
    expect(requestRate({ total: 100, at: 10_000 }, { total: 160, at: 12_000 })).toBe(30);
    expect(requestRate({ total: 100, at: 10_000 }, { total: 100, at: 11_000 })).toBe(0);
  });

  it('is unknown at the first reading, with no time between two, and when the counter went back (a reload or restart)', () => {
    expect(requestRate(null, { total: 100, at: 10_000 })).toBeNull();
    expect(requestRate({ total: 100, at: 10_000 }, { total: 120, at: 10_000 })).toBeNull();
    expect(requestRate({ total: 100, at: 10_000 }, { total: 5, at: 11_000 })).toBeNull();
  });
});
