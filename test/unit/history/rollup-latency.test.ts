// The new sample fields survive the history's thinning: minute rollups and chart downsampling keep latency and memory.
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../electron/contract/contract.js';
import { downsample } from '../../../electron/core/history/downsample.js';
import { rollUp } from '../../../electron/core/history/minute-rollup.js';

const sample = (at: number, p95: number | null, memory: number): Sample => ({
  at, hostCpu: 10, replicaCpu: 20, rps: 5, rpsPerReplica: 5, sessions: 0, queue: 0, http5xx: 0, responseTimeMs: 3,
  latencyP50Ms: p95 === null ? null : p95 / 2, latencyP95Ms: p95, replicaMemory: memory, desired: 1, ready: 1, total: 1,
});

describe('latency and memory in history', () => {
  it('roll up per minute with min, max and mean, skipping intervals without requests', () => {
    const [minute] = rollUp([sample(0, 100, 20), sample(1000, null, 30), sample(2000, 300, 40)]);
    expect(minute!.max).toMatchObject({ latencyP95Ms: 300, latencyP50Ms: 150, replicaMemory: 40 });
    expect(minute!.min).toMatchObject({ latencyP95Ms: 100, replicaMemory: 20 });
    expect(minute!.mean).toMatchObject({ latencyP95Ms: 200, replicaMemory: 30 });
  });

  it('keep a latency spike when a chart thins the series', () => {
    const samples = Array.from({ length: 10_000 }, (_, i) => sample(i * 1000, i === 5003 ? 900 : 20, 25));
    const thinned = downsample(samples);
    expect(thinned.length).toBeLessThan(samples.length);
    expect(Math.max(...thinned.map((s) => s.latencyP95Ms ?? 0))).toBe(900);
  });
});
