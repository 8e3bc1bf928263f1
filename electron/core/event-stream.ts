// The control plane's outbox: events kept for the snapshot and streamed, samples streamed, and snapshots
// published at most once per interval however many changes come in a burst.
import type { ControlEvent, Snapshot, StreamMessage } from '../contract.js';
import { RingBuffer } from './metrics/ring-buffer.js';
import { systemClock, type Cancel, type Clock } from './clock.js';

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

  constructor(private readonly options: EventStreamOptions) {
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.snapshotIntervalMs ?? 200;
    this.events = new RingBuffer<ControlEvent>(options.capacity ?? 500);
  }

  event(kind: ControlEvent['kind'], message: string): void {
    const event: ControlEvent = { at: this.clock.now(), kind, message };
    this.events.push(event);
    this.options.log?.(`[${kind}] ${message}`);
    this.broadcast({ type: 'event', event });
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
