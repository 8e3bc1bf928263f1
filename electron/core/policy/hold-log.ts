// Turns the policy's per-sample holds into event-log lines: one per run of the same hold, with how long it lasted.
import type { PolicyHold } from './state.js';

interface HoldRun {
  key: string;
  since: number;
  message: string;
}

const keyOf = (hold: PolicyHold): string => `${hold.kind}:${hold.direction}`;

/** "14 s", or "0.2 s" for a run that a closely following sample ended: never a bare "0 s". */
const formatSeconds = (ms: number): string => (ms < 9500 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 1000)} s`);

/**
 * The same hold repeats every sample while its seconds-left count down, so a run is keyed by kind and direction and
 * reported once, when it ends, with its latest wording: "held 14 s: scale-down cooldown 30 s, 16 s left".
 */
export class HoldLog {
  private run: HoldRun | null = null;

  /** What the policy is holding back for right now, or null. */
  get waitingFor(): string | null {
    return this.run?.message ?? null;
  }

  /** Feeds one decision's hold; answers the event line for a run that this sample ended, if any. */
  observe(hold: PolicyHold | null, at: number): string | null {
    if (hold && this.run?.key === keyOf(hold)) {
      this.run.message = hold.message;
      return null;
    }
    const ended = this.end(at);
    this.run = hold ? { key: keyOf(hold), since: at, message: hold.message } : null;
    return ended;
  }

  /** Ends the current run (on shutdown or a mode change) and answers its event line. */
  end(at: number): string | null {
    const run = this.run;
    this.run = null;
    if (!run) return null;
    return `held ${formatSeconds(Math.max(0, at - run.since))}: ${run.message}`;
  }
}
