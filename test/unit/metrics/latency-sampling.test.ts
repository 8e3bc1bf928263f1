// Specification of the request log's sampling: every request at low rates, a bounded number a second at high
// rates, a ratio resent only on a real change, the ACL that carries it, and a p95 from too few requests withheld.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOG_SAMPLE_SCALE, requestLogLines, unloggedRange } from '../../../haproxy/request-log.js';
import { LOG_LINES_PER_S, MIN_LATENCY_SAMPLE, keptPerScale, latencyReadingOf } from '../../../electron/core/metrics/latency-sampling.js';

describe('the request log sampling ratio', () => {
  it('keeps every request up to the target lines per second', () => {
    expect(keptPerScale(LOG_LINES_PER_S, 5_000)).toBe(LOG_SAMPLE_SCALE);
  });

  it('keeps about the target lines per second at any higher rate', () => {
    fc.assert(fc.property(fc.integer({ min: LOG_LINES_PER_S + 1, max: 2_000_000 }), (rps) => {
      const lines = (rps * keptPerScale(rps, null)) / LOG_SAMPLE_SCALE;
      expect(lines).toBeGreaterThan(LOG_LINES_PER_S * 0.99);
      expect(lines).toBeLessThan(LOG_LINES_PER_S * 1.01 + 1);
    }));
    expect(keptPerScale(10_000, null)).toBe(20_000);
  });

  it('keeps the ratio in force while the rate moves by less than a quarter, and changes it past that', () => {
    const atTenThousand = keptPerScale(10_000, null);
    expect(keptPerScale(11_000, atTenThousand)).toBe(atTenThousand);
    expect(keptPerScale(9_000, atTenThousand)).toBe(atTenThousand);
    expect(keptPerScale(20_000, atTenThousand)).toBe(10_000);
    expect(keptPerScale(5_000, atTenThousand)).toBe(40_000);
  });

  it('goes back to every request as soon as the rate falls to the target, and holds when the rate is unknown or zero', () => {
    expect(keptPerScale(100, 20_000)).toBe(LOG_SAMPLE_SCALE);
    expect(keptPerScale(1, 20_000)).toBe(LOG_SAMPLE_SCALE);
    expect(keptPerScale(0, 20_000)).toBe(20_000);
    expect(keptPerScale(0, null)).toBe(LOG_SAMPLE_SCALE);
    expect(keptPerScale(null, 20_000)).toBe(20_000);
    expect(keptPerScale(Number.NaN, null)).toBe(LOG_SAMPLE_SCALE);
  });

  it('is carried by an ACL range of the per-request random number, empty when every request is logged', () => {
    expect(unloggedRange(LOG_SAMPLE_SCALE)).toBeNull();
    expect(unloggedRange(20_000)).toBe(`20000:${LOG_SAMPLE_SCALE - 1}`);
    expect(unloggedRange(0)).toBe(`0:${LOG_SAMPLE_SCALE - 1}`);
    expect(() => unloggedRange(-1)).toThrow(/between 0 and/);
    expect(() => unloggedRange(0.5)).toThrow(/between 0 and/);
    const lines = requestLogLines({ port: 5140, secret: '0123456789abcdef0123456789abcdef', sampleAcl: '/tmp/sd/request-log-sample.acl' });
    expect(lines.slice(0, 2)).toEqual([
      `acl scaledeck_unlogged rand(${LOG_SAMPLE_SCALE}) -m int -f "/tmp/sd/request-log-sample.acl"`,
      'http-request set-log-level silent if scaledeck_unlogged',
    ]);
    expect(() => requestLogLines({ port: 5140, secret: '0123456789abcdef0123456789abcdef', sampleAcl: '/tmp/"x' })).toThrow(/sample ACL/);
  });
});

describe('a latency reading', () => {
  it('gives the p95 with the number of requests it comes from', () => {
    expect(latencyReadingOf({ p50Ms: 4, p95Ms: 30, count: 200 })).toEqual({ p50Ms: 4, p95Ms: 30, sampleSize: 200, shortfall: null });
    expect(latencyReadingOf({ p50Ms: 4, p95Ms: 30, count: MIN_LATENCY_SAMPLE }).p95Ms).toBe(30);
  });

  it('withholds a p95 from fewer requests than it needs, and says so', () => {
    const reading = latencyReadingOf({ p50Ms: 400, p95Ms: 900, count: MIN_LATENCY_SAMPLE - 1 });
    expect(reading.p95Ms).toBeNull();
    expect(reading.sampleSize).toBe(MIN_LATENCY_SAMPLE - 1);
    expect(reading.shortfall).toBe(`p95 from ${MIN_LATENCY_SAMPLE - 1} requests, fewer than the ${MIN_LATENCY_SAMPLE} it needs: not acted on`);
  });

  it('is empty, not short, when no request ended', () => {
    expect(latencyReadingOf({ p50Ms: null, p95Ms: null, count: 0 })).toEqual({ p50Ms: null, p95Ms: null, sampleSize: 0, shortfall: null });
  });
});
