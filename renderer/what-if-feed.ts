// The ghost line's data: replays the sliders' pending settings over the charts' window in core, one request at a time.
import { firstRule, type ScaleDeckApi, type ScalingRule, type Settings, type SettingsPatch, type WhatIfResult } from '../electron/contract/contract.js';
import { ValueStore } from './value-store.js';

/** How long the ghost stays after the last change, so a person can read it once the slider is let go. */
export const GHOST_LINGER_MS = 10_000;

/** The range replayed: the charts' visible window. */
export interface WhatIfRange {
  fromMs: number;
  toMs: number;
}

/** One answered replay, with what the summary needs to read it. */
export interface WhatIfView extends WhatIfRange {
  patch: SettingsPatch;
  result: WhatIfResult;
  /** The scale-up threshold the replay ran with, and its unit, for "2 min above 70 %". */
  upThreshold: number;
  unit: string;
}

export interface WhatIfTimers {
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const realTimers: WhatIfTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** " %", " req/s", " ms": the unit as the summary writes it after a number. */
const unitOf = (metric: ScalingRule['metric']): string => (metric === 'rps-per-replica' ? ' req/s' : metric === 'latency-p95' ? ' ms' : ' %');

interface Proposal {
  patch: SettingsPatch;
  settings: Settings;
}

/**
 * The replay runs in core (1 h of samples in well under a frame there), so the renderer keeps importing only the
 * contract. Requests are throttled by the answers themselves: one in flight, and while it runs only the latest
 * proposal waits, so a drag never queues stale replays and the ghost is at most one answer behind the pointer.
 */
export class WhatIfFeed {
  /** The replay to draw, or null when there is no ghost. */
  readonly shown = new ValueStore<WhatIfView | null>(null);
  /** Why the latest replay failed, or null. */
  readonly error = new ValueStore<string | null>(null);
  private waiting: Proposal | null = null;
  private inFlight = false;
  private holding = false;
  private hideTimer: unknown = null;
  /** Bumped on hide: an answer to a request sent before it is dropped. */
  private generation = 0;

  constructor(
    private readonly api: Pick<ScaleDeckApi, 'whatIf'>,
    private readonly range: () => WhatIfRange,
    private readonly timers: WhatIfTimers = realTimers,
  ) {}

  /** Asks for the ghost of `settings` with `patch` applied; shows it until GHOST_LINGER_MS after the last call. */
  propose(patch: SettingsPatch, settings: Settings): void {
    this.waiting = { patch, settings };
    this.restartLinger();
    if (!this.inFlight) void this.pump();
  }

  /** While a slider is held (pointer down), the ghost stays however long the pointer rests. */
  hold(active: boolean): void {
    this.holding = active;
    this.restartLinger();
  }

  /** Removes the ghost and forgets any waiting or running request. */
  hide(): void {
    this.generation += 1;
    this.waiting = null;
    if (this.hideTimer !== null) this.timers.clearTimeout(this.hideTimer);
    this.hideTimer = null;
    this.shown.set(null);
    this.error.set(null);
  }

  private restartLinger(): void {
    if (this.hideTimer !== null) this.timers.clearTimeout(this.hideTimer);
    this.hideTimer = null;
    if (this.holding || (this.shown.get() === null && this.waiting === null && !this.inFlight)) return;
    this.hideTimer = this.timers.setTimeout(() => {
      this.hideTimer = null;
      this.hide();
    }, GHOST_LINGER_MS);
  }

  private async pump(): Promise<void> {
    this.inFlight = true;
    try {
      while (this.waiting) {
        const { patch, settings } = this.waiting;
        this.waiting = null;
        const generation = this.generation;
        const { fromMs, toMs } = this.range();
        const answer = await this.api.whatIf({ patch, fromMs, toMs });
        if (generation !== this.generation) continue;
        if ('result' in answer) {
          // The summary's time above counts against the first rule's threshold (the flat fields are that rule).
          const first = patch.rules?.[0];
          const upThreshold = patch.scaleUpThreshold ?? first?.scaleUpThreshold ?? firstRule(settings).scaleUpThreshold;
          const unit = unitOf(patch.metric ?? first?.metric ?? firstRule(settings).metric);
          this.shown.set({ patch, fromMs, toMs, result: answer.result, upThreshold, unit });
          this.error.set(null);
        } else {
          this.error.set(answer.error);
        }
      }
    } finally {
      this.inFlight = false;
    }
  }
}
