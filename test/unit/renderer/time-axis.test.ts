// Specification of the time axis's ticks: round steps, about as many labels as asked for, on every window.
import { describe, expect, it } from 'vitest';
import { formatTick } from '../../../renderer/format.js';
import { timeTicks } from '../../../renderer/time-axis.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 11, 7, 0, 0, 7);

describe('timeTicks', () => {
  it.each([
    ['1 min', 60_000],
    ['1 h', HOUR],
    ['6 h and a forecast a quarter ahead', 7.5 * HOUR],
    ['24 h', 24 * HOUR],
    ['7 d', 7 * 24 * HOUR],
  ])('keeps %s to about four labels on a narrow chart, each on a round step', (_window, span) => {
    const ticks = timeTicks(START, START + span, 4);
    expect(ticks.length).toBeGreaterThanOrEqual(1);
    expect(ticks.length).toBeLessThanOrEqual(5);
    const step = (ticks[1] ?? ticks[0]! + span) - ticks[0]!;
    expect(ticks.every((t, i) => i === 0 || t - ticks[i - 1]! === step)).toBe(true);
    expect(ticks.every((t) => t >= START && t <= START + span)).toBe(true);
  });
});

describe('formatTick', () => {
  it('reads a clock time within a day, and the day when ticks are a day or more apart', () => {
    const at = new Date(2026, 11, 7, 14, 5, 0).getTime();
    expect(formatTick(at, HOUR)).toBe('14:05:00');
    expect(formatTick(at, 48 * HOUR)).toBe('Mon 7');
  });
});
