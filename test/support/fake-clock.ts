// A clock for unit tests: time moves only when the test says so, and timers fire in order as it moves.
import type { Cancel, Clock } from '../../electron/core/clock.js';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
  everyMs: number | null;
}

/** Lets every promise chain that is ready run (a macrotask turn, no wall-clock wait). */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeClock implements Clock {
  private nowMs: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(start = 1_700_000_000_000) {
    this.nowMs = start;
  }

  now(): number {
    return this.nowMs;
  }

  after(ms: number, fn: () => void): Cancel {
    return this.schedule(ms, fn, null);
  }

  every(ms: number, fn: () => void): Cancel {
    return this.schedule(ms, fn, ms);
  }

  get pending(): number {
    return this.timers.length;
  }

  private schedule(ms: number, fn: () => void, everyMs: number | null): Cancel {
    const timer = { id: this.nextId++, at: this.nowMs + Math.max(0, ms), fn, everyMs };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t.id !== timer.id);
    };
  }

  /** Moves time forward by `ms`, firing each timer due on the way (in order) and letting its work run. */
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    await flush();
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.nowMs = Math.max(this.nowMs, due.at);
      if (due.everyMs === null) this.timers = this.timers.filter((t) => t.id !== due.id);
      else due.at += due.everyMs;
      due.fn();
      await flush();
    }
    this.nowMs = end;
    await flush();
  }

  /**
   * Advances in `stepMs` steps until `work` settles, letting real I/O in it (files, sockets) finish between
   * steps; for work such as a shutdown that waits on both the clock and the file system.
   */
  async run<T>(work: Promise<T>, what: string, { stepMs = 50, maxSteps = 5000 } = {}): Promise<T> {
    let settled = false;
    const watched = work.finally(() => (settled = true));
    for (let step = 0; !settled; step++) {
      if (step >= maxSteps) throw new Error(`still waiting for ${what} after ${maxSteps} steps`);
      await this.advance(stepMs);
      if (!settled) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return watched;
  }

  /** Advances in `stepMs` steps until `check()` holds; fails after `maxMs` of fake time. */
  async until(check: () => boolean, what: string, { stepMs = 50, maxMs = 120_000 } = {}): Promise<void> {
    const end = this.nowMs + maxMs;
    await flush();
    while (!check()) {
      if (this.nowMs >= end) throw new Error(`still waiting for ${what} after ${maxMs} ms of fake time`);
      await this.advance(stepMs);
    }
  }
}

/**
 * Stops something whose stop waits for work under way (a drain, a health wait) that finishes on the fake clock, not on
 * the wall clock: moves the clock until the stop has resolved.
 */
export async function stopOn(clock: FakeClock, stoppable: { stop(): Promise<void> }): Promise<void> {
  let stopped = false;
  void stoppable.stop().then(() => (stopped = true));
  await clock.until(() => stopped, 'the stop to finish');
}
