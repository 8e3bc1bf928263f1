// Scale from zero on demand: while the desired count is 0 in auto mode, asks HAProxy how many requests it holds
// and wakes one replica at once when any wait, whatever the policy's cooldowns say.
import type { Settings } from '../../contract/settings-schema.js';
import type { Cancel, Clock } from '../clock.js';

export interface WakeOnRequestOptions {
  clock: Clock;
  /** Requests HAProxy is holding for want of a server, or null when it cannot be asked. */
  heldRequests: () => Promise<number | null>;
  desired: () => number;
  mode: () => Settings['mode'];
  /** Brings the count to 1 (through the owner of the count, with the 'wake' cause). */
  wake: (held: number) => void;
  /** How often to ask while at zero; the cold start waits at most this long to begin. */
  intervalMs?: number;
}

export const WAKE_POLL_MS = 50;

export class WakeOnRequest {
  private cancel: Cancel | null = null;
  private armed = false;
  private asking = false;

  constructor(private readonly options: WakeOnRequestOptions) {}

  start(): void {
    this.armed = true;
    this.follow();
  }

  stop(): void {
    this.armed = false;
    this.follow();
  }

  /**
   * The count or the mode may have changed: asks HAProxy every 50 ms only while the count is 0 in auto mode. A timer
   * that fired twenty times a second for nothing was a fifth of an idle control plane's wake-ups.
   */
  follow(): void {
    const { clock, desired, mode, intervalMs } = this.options;
    if (this.armed && desired() === 0 && mode() === 'auto') {
      this.cancel ??= clock.every(intervalMs ?? WAKE_POLL_MS, () => void this.check());
      return;
    }
    this.cancel?.();
    this.cancel = null;
  }

  /** Whether it is asking HAProxy now. */
  get watching(): boolean {
    return this.cancel !== null;
  }

  /** One look: exported for the tick above and for tests that step a fake clock. */
  async check(): Promise<void> {
    const { desired, mode, heldRequests, wake } = this.options;
    // One question at a time: a slow socket must not stack up asks.
    if (this.asking || desired() !== 0 || mode() !== 'auto') return;
    this.asking = true;
    try {
      const held = await heldRequests().catch(() => null);
      if (held !== null && held > 0 && desired() === 0 && mode() === 'auto' && this.cancel !== null) wake(held);
    } finally {
      this.asking = false;
    }
  }
}
