// Round-time ticks for the charts' shared time axis, so labels read 14:05:00, 14:06:00 rather than odd seconds.

const TICK_STEPS_MS = [5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000];

/** Ticks at a round step that gives about `count` labels between `start` and `end` (ms since the epoch). */
export function timeTicks(start: number, end: number, count = 6): number[] {
  const span = end - start;
  if (!(span > 0)) return [];
  const step = TICK_STEPS_MS.find((candidate) => span / candidate <= count) ?? 1_800_000;
  // Align to the local clock so minute ticks land on whole minutes in every time zone.
  const offset = new Date(start).getTimezoneOffset() * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil((start - offset) / step) * step + offset; t <= end; t += step) ticks.push(t);
  return ticks;
}
