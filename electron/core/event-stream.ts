// The control plane's outbox: events kept for the snapshot and streamed, samples streamed, and snapshots
// published at most once per interval however many changes come in a burst.
import type { ControlEvent, Snapshot, StreamMessage } from '../contract/contract.js';
import { RingBuffer } from './metrics/ring-buffer.js';
import { systemClock, type Cancel, type Clock } from './clock.js';

/** A repeated error is told once, then summarised this often while it lasts. */
const REPEAT_SUMMARY_MS = 120_000;
/** An error not seen for this long is told afresh when it comes back. */
const REPEAT_FORGET_MS = 60_000;

interface Repeat {
  key: string;
  firstAt: number;
  lastAt: number;
  toldAt: number;
  tries: number;
}

export interface EventStreamOptions {
  snapshot: () => Snapshot;
  log?: (line: string) => void;
  clock?: Clock;
  snapshotIntervalMs?: number;
  capacity?: number;
}

export class EventStream {
  private readonly events: RingBuffer<ControlEvent>;
  private readonly listeners = new Set<(message: StreamMessage) => void>();
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private pendingSnapshot: Cancel | null = null;
  private lastSnapshotAt = -Infinity;
  private repeat: Repeat | null = null;

  constructor(private readonly options: EventStreamOptions) {
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.snapshotIntervalMs ?? 200;
    this.events = new RingBuffer<ControlEvent>(options.capacity ?? 500);
  }

  /** An event about `service`, or about the whole app when none is named. */
  event(kind: ControlEvent['kind'], message: string, service?: string): void {
    const summary = kind === 'error' ? this.repeatOf(message, service) : message;
    if (summary === null) return;
    const event: ControlEvent = { at: this.clock.now(), kind, message: summary, ...(service ? { service } : {}) };
    this.events.push(event);
    this.options.log?.(`[${kind}${service ? ` ${service}` : ''}] ${event.message}`);
    this.broadcast({ type: 'event', event });
  }

  /**
   * The same error over and over (a missing image, an engine that is down) is logged once, then summarised:
   * "still failing after 2 min, 240 tries: …". Null: say nothing this time. Numbers do not make it another error.
   */
  private repeatOf(message: string, service: string | undefined): string | null {
    const now = this.clock.now();
    const key = `${service ?? ''}\u0000${message.replace(/\d+(\.\d+)?/g, '#')}`;
    const repeat = this.repeat;
    if (!repeat || repeat.key !== key || now - repeat.lastAt > REPEAT_FORGET_MS) {
      this.repeat = { key, firstAt: now, lastAt: now, toldAt: now, tries: 1 };
      return message;
    }
    repeat.tries += 1;
    repeat.lastAt = now;
    if (now - repeat.toldAt < REPEAT_SUMMARY_MS) return null;
    repeat.toldAt = now;
    return `still failing after ${Math.round((now - repeat.firstAt) / 60_000)} min, ${repeat.tries} tries: ${message}`;
  }

  recent(count: number): ControlEvent[] {
    return this.events.toArray(count);
  }

  broadcast(message: StreamMessage): void {
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch {
        // One broken subscriber (a closed socket) must not stop the others.
      }
    }
  }

  /** Coalesces bursts of state changes into at most one snapshot per interval. */
  publishSnapshot(): void {
    if (this.pendingSnapshot) return;
    const wait = Math.max(0, this.lastSnapshotAt + this.intervalMs - this.clock.now());
    this.pendingSnapshot = this.clock.after(wait, () => {
      this.pendingSnapshot = null;
      this.lastSnapshotAt = this.clock.now();
      this.broadcast({ type: 'snapshot', snapshot: this.options.snapshot() });
    });
  }

  subscribe(listener: (message: StreamMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.pendingSnapshot?.();
    this.pendingSnapshot = null;
    this.listeners.clear();
  }
}
