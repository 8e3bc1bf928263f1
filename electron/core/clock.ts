// Time as a dependency: the clock the control plane reads and schedules on, and the waits built on it, so that
// unit tests run the same code on a fake clock instead of sleeping.

export type Cancel = () => void;

export interface Clock {
  now(): number;
  /** Runs `fn` once after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): Cancel;
  /** Runs `fn` every `ms` until cancelled. */
  every(ms: number, fn: () => void): Cancel;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  },
};

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.after(ms, resolve));
}

export class TimeoutError extends Error {}

/** Settles like `work`, or rejects with TimeoutError(`${what} took longer than ${ms} ms`) when it is slower. */
export function withTimeout<T>(clock: Clock, work: Promise<T>, ms: number, what: string): Promise<T> {
  let cancel: Cancel = () => {};
  const timeout = new Promise<never>((_resolve, reject) => {
    cancel = clock.after(ms, () => reject(new TimeoutError(`${what} took longer than ${ms} ms`)));
  });
  return Promise.race([work, timeout]).finally(() => cancel());
}

export interface PollOptions {
  timeoutMs: number;
  /** The pause before the next probe; a function of the time waited so far polls densely first, then less. */
  intervalMs: number | ((waitedMs: number) => number);
  /** Stops the wait early (it then throws as on a timeout, with "cancelled"). */
  cancelled?: () => boolean;
  /** Ends the timeout message: "… within 30 s (<why>)"; given the last probe answer. */
  describe: (last: string) => string;
}

/**
 * Asks `probe` until it answers `{ done: value }`, every `intervalMs`, for at most `timeoutMs`.
 * A probe answers `{ waiting: why }` to go on; what it last said goes into the timeout error.
 */
export async function pollUntil<T>(
  clock: Clock,
  probe: () => Promise<{ done: T } | { waiting: string }>,
  options: PollOptions,
): Promise<T> {
  const startedAt = clock.now();
  const deadline = startedAt + options.timeoutMs;
  const interval = typeof options.intervalMs === 'number' ? () => options.intervalMs as number : options.intervalMs;
  let last = 'not asked yet';
  for (;;) {
    if (options.cancelled?.()) throw new TimeoutError(options.describe('cancelled'));
    const answer = await probe();
    if ('done' in answer) return answer.done;
    last = answer.waiting;
    if (clock.now() >= deadline) throw new TimeoutError(options.describe(last));
    await sleep(clock, interval(clock.now() - startedAt));
  }
}
