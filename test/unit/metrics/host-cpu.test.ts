import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { HostCpu, ticksOfProcStat } from '../../../electron/core/metrics/host-cpu.js';

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

  it('is the busy share of the ticks between two calls, from the counters alone', () => {
    const readings = [
      { busy: 100, total: 1000 },
      { busy: 350, total: 1500 },
      { busy: 350, total: 2500 },
      { busy: 1350, total: 3500 },
    ];
    const cpu = new HostCpu(() => readings.shift()!);
    expect(cpu.percent()).toBe(50);
    expect(cpu.percent()).toBe(0);
    expect(cpu.percent()).toBe(100);
  });

  it('stays within 0..100 for back-to-back calls', () => {
    const cpu = new HostCpu();
    for (let i = 0; i < 5; i++) {
      const percent = cpu.percent();
      expect(percent).toBeGreaterThanOrEqual(0);
      expect(percent).toBeLessThanOrEqual(100);
    }
  });

  it('gives a call right after another the same figure, as services sampling on one tick ask one after the other', () => {
    const readings = [
      { busy: 0, total: 0 },
      { busy: 500, total: 1000 },
      { busy: 500, total: 1001 },
      { busy: 500, total: 2000 },
    ];
    const cpu = new HostCpu(() => readings.shift()!);
    expect(cpu.percent()).toBe(50);
    expect(cpu.percent()).toBe(50);
    expect(cpu.percent()).toBe(0);
  });

  it('reads the all-cores line of /proc/stat in ms, iowait as idle and steal as busy', () => {
    const text = 'cpu  100 20 30 800 40 5 5 0 0 0\ncpu0 50 10 15 400 20 2 3 0 0 0\nintr 1 2 3\n';
    // busy = user + nice + system + irq + softirq + steal = 160 ticks; total adds idle and iowait = 1000 ticks.
    expect(ticksOfProcStat(text)).toEqual({ busy: 1600, total: 10000 });
  });

  it('refuses a /proc/stat without a readable all-cores line', () => {
    expect(ticksOfProcStat('cpu0 1 2 3 4\n')).toBeNull();
    expect(ticksOfProcStat('cpu  a b c d\n')).toBeNull();
    expect(ticksOfProcStat('')).toBeNull();
  });
});
