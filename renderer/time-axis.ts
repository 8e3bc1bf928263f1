// Round-time ticks for the charts' shared time axis, so labels read 14:05:00, 14:06:00 rather than odd seconds.

const HOUR_MS = 3_600_000;
// Up to a day, so the 24 h and 7 d windows (and a forecast drawn ahead) keep a few labels on a narrow chart too.
const TICK_STEPS_MS = [5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS, 24 * HOUR_MS, 48 * HOUR_MS];

/** Ticks at a round step that gives about `count` labels between `start` and `end` (ms since the epoch). */
export function timeTicks(start: number, end: number, count = 6): number[] {
  const span = end - start;
  if (!(span > 0)) return [];
  const step = TICK_STEPS_MS.find((candidate) => span / candidate <= count) ?? 48 * HOUR_MS;
  // Align to the local clock so minute ticks land on whole minutes in every time zone.
  const offset = new Date(start).getTimezoneOffset() * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil((start - offset) / step) * step + offset; t <= end; t += step) ticks.push(t);
  return ticks;
}
