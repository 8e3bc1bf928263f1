// Specification of the hold log: consecutive identical holds collapse into one line saying how long they lasted.
import { describe, expect, it } from 'vitest';
import { HoldLog } from '../../../electron/core/policy/hold-log.js';
import type { PolicyHold } from '../../../electron/core/policy.js';

const T0 = 1_700_000_000_000;
const cooldown = (left: number): PolicyHold => ({ kind: 'cooldown', direction: 'down', message: `scale-down cooldown 30 s, ${left} s left` });

describe('HoldLog', () => {
  it('collapses a run of the same hold into one line, with its duration and latest wording, when the run ends', () => {
    const log = new HoldLog();
    const lines: (string | null)[] = [];
    for (let s = 0; s < 14; s++) lines.push(log.observe(cooldown(30 - s), T0 + s * 1000));
    expect(lines.every((line) => line === null)).toBe(true);
    expect(log.waitingFor).toBe('scale-down cooldown 30 s, 17 s left');
    expect(log.observe(null, T0 + 14_000)).toBe('held 14 s: scale-down cooldown 30 s, 17 s left');
    expect(log.waitingFor).toBeNull();
  });

  it('starts a new run when the kind or direction changes, reporting the one that ended', () => {
    const log = new HoldLog();
    log.observe({ kind: 'breach', direction: 'up', message: 'scale-up: replica CPU 86% > 70% for 1 of 3 samples' }, T0);
    log.observe({ kind: 'breach', direction: 'up', message: 'scale-up: replica CPU 90% > 70% for 2 of 3 samples' }, T0 + 1000);
    expect(log.observe(cooldown(3), T0 + 2000)).toBe('held 2 s: scale-up: replica CPU 90% > 70% for 2 of 3 samples');
    expect(log.waitingFor).toBe('scale-down cooldown 30 s, 3 s left');
    expect(log.observe({ kind: 'cooldown', direction: 'up', message: 'scale-up cooldown 5 s, 1 s left' }, T0 + 3000)).toBe('held 1 s: scale-down cooldown 30 s, 3 s left');
  });

  it('gives a run shorter than 10 s to a tenth of a second, so a quickly ended one never reads "0 s"', () => {
    const log = new HoldLog();
    log.observe(cooldown(9), T0);
    expect(log.observe(null, T0 + 180)).toBe('held 0.2 s: scale-down cooldown 30 s, 9 s left');
    log.observe(cooldown(9), T0);
    expect(log.observe(null, T0 + 2440)).toBe('held 2.4 s: scale-down cooldown 30 s, 9 s left');
  });

  it('says nothing when there was no hold, and ends an open run on demand', () => {
    const log = new HoldLog();
    expect(log.observe(null, T0)).toBeNull();
    expect(log.end(T0)).toBeNull();
    log.observe(cooldown(9), T0);
    expect(log.end(T0 + 5000)).toBe('held 5 s: scale-down cooldown 30 s, 9 s left');
    expect(log.end(T0 + 6000)).toBeNull();
  });
});
