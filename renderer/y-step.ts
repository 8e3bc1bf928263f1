// Y maxima for the charts whose scale follows their data: round values, changed with hysteresis so the axis (and
// recharts with it) moves rarely rather than on every sample.

/** The smallest round value (1, 2, 2.5 or 5 times a power of ten, whole numbers only) at or above `value`. */
export function roundUp(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 2.5, 5, 10]) {
    const candidate = factor * power;
    if (candidate >= value && Number.isInteger(candidate)) return candidate;
  }
  return 10 * power;
}

/** Below this share of the current maximum, the axis shrinks; above the maximum, it grows. In between it stays. */
export const SHRINK_BELOW = 0.3;
/**
 * A new maximum leaves this much room above the data: a rate climbing from zero (load starting) then fits after one
 * step instead of two. With round values at most twice what they round, the data fills at least a third of the new
 * axis, so it never shrinks again right away (SHRINK_BELOW is under a third).
 */
const HEADROOM = 1.5;

/**
 * The Y maximum to show `needed` (the highest value to fit) when `current` is shown, never below `floor`. It grows
 * to a round value with headroom as soon as a value would leave the chart, and shrinks only when the data uses less
 * than 30 % of it, so values that wander up and down keep the same axis.
 */
export function steppedMax(current: number, needed: number, floor: number): number {
  const wanted = Math.max(floor, roundUp(needed * HEADROOM));
  if (needed > current || needed < current * SHRINK_BELOW) return wanted;
  return Math.max(current, floor);
}

/** Whole-number ticks from 0 to `max` at a round step, about five of them. */
export function axisTicks(max: number): number[] {
  const step = roundUp(max / 5);
  const ticks: number[] = [];
  for (let tick = 0; tick <= max; tick += step) ticks.push(tick);
  return ticks;
}
