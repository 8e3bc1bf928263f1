import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { HostCpu } from '../../../electron/core/metrics/host-cpu.js';

describe('HostCpu', () => {
  it('sees this process spinning one core as at least half of that core\'s share of the machine', () => {
    const cpu = new HostCpu();
    const until = Date.now() + 300;
    while (Date.now() < until) {
      // Busy on purpose: one core fully used for the measured interval.
    }
    const percent = cpu.percent();
    expect(percent).toBeGreaterThanOrEqual((100 / os.cpus().length) * 0.5);
    expect(percent).toBeLessThanOrEqual(100);
  });

  it('stays within 0..100 for back-to-back calls', () => {
    const cpu = new HostCpu();
    for (let i = 0; i < 5; i++) {
      const percent = cpu.percent();
      expect(percent).toBeGreaterThanOrEqual(0);
      expect(percent).toBeLessThanOrEqual(100);
    }
  });
});
