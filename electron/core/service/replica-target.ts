// The one owner of the desired replica count and the mode: every change comes here with its cause, is clamped to
// [minReplicas, maxReplicas] once, persisted, evented and handed to the controller.
import type { ControlEvent } from '../../contract/contract.js';
import type { Settings, SettingsPatch } from '../../contract/settings-schema.js';
import { clampReplicas } from '../policy/state.js';

export type ScaleCause =
  | { kind: 'policy'; reason: string }
  | { kind: 'manual' }
  | { kind: 'removal'; replica: string }
  | { kind: 'range' }
  /** Requests are waiting in HAProxy with no replica to serve them (scale from zero). */
  | { kind: 'wake'; held: number };

/** What the owner needs of the settings store: the settings (mode and range live there) and the persisted count. */
export interface TargetStore {
  readonly settings: Settings;
  update(patch: SettingsPatch): Settings;
  readonly desired: number | null;
  setDesired(n: number): void;
}

export interface ReplicaTargetOptions {
  store: TargetStore;
  onEvent: (kind: ControlEvent['kind'], message: string) => void;
  /** Hands the new count to whatever converges on it (the controller). */
  apply: (desired: number) => void;
  /** The mode changed (a person scaled by hand, or switched): the policy forgets its streaks and windows. */
  onModeChanged: (mode: Settings['mode']) => void;
  /** Replicas of ours already running at start: the count to keep when none was persisted (a lost settings file). */
  runningAtStart?: number;
  /** The range in force now (the settings' own, raised by open schedule windows); the settings' own when left out. */
  range?: () => Pick<Settings, 'minReplicas' | 'maxReplicas'>;
  /** How far a scale-out may go within the host's CPU budget, and why not further (policy/host-budget.ts). */
  budget?: (from: number, to: number) => { allowed: number; reason: string | null };
}


function describe(cause: ScaleCause, from: number, to: number, range: Pick<Settings, 'minReplicas' | 'maxReplicas'>): string {
  switch (cause.kind) {
    case 'policy':
      return cause.reason;
    case 'manual':
      return `${from} -> ${to}: set by hand`;
    case 'removal':
      return from === to ? `Replacing ${cause.replica}: ${from} is already the minimum` : `${from} -> ${to}: removed ${cause.replica} by hand`;
    case 'range':
      return `${from} -> ${to}: the replica range is now ${range.minReplicas}..${range.maxReplicas}`;
    case 'wake':
      return `${from} -> ${to}: ${cause.held} ${cause.held === 1 ? 'request' : 'requests'} waiting in HAProxy with no replica`;
  }
}

export class ReplicaTarget {
  private count: number;
  private draining = false;

  constructor(private readonly options: ReplicaTargetOptions) {
    const { store } = options;
    // A restarted app keeps the persisted count (within today's range). Without one it keeps what runs, so a lost
    // settings file never drains a serving pool; a true first start begins at the minimum.
    const range = this.range();
    this.count = clampReplicas(store.desired ?? options.runningAtStart ?? range.minReplicas, range);
    if (store.desired !== this.count) store.setDesired(this.count);
  }

  private range(): Pick<Settings, 'minReplicas' | 'maxReplicas'> {
    return this.options.range?.() ?? this.options.store.settings;
  }

  get desired(): number {
    return this.count;
  }

  /** Shutdown has begun: every replica goes, spares too. */
  get shuttingDown(): boolean {
    return this.draining;
  }

  get mode(): Settings['mode'] {
    return this.options.store.settings.mode;
  }

  /** Sets the count for `cause`; answers the count now in force. Ignored once the app is shutting down. */
  scale(requested: number, cause: ScaleCause): number {
    if (this.draining) return this.count;
    const { store, onEvent, apply } = this.options;
    if (cause.kind === 'manual' || cause.kind === 'removal') this.setMode('manual');
    const from = this.count;
    const range = this.range();
    let to = clampReplicas(requested, range);
    // The range is a promise the budget does not break; every other scale-out stays within it.
    if (to > from && cause.kind !== 'range' && this.options.budget) {
      const { allowed, reason } = this.options.budget(from, to);
      if (reason !== null) onEvent('hold', reason);
      to = allowed;
    }
    if (to !== from || cause.kind === 'removal') onEvent('scale', describe(cause, from, to, range));
    if (to === from) return to;
    this.count = to;
    store.setDesired(to);
    apply(to);
    return to;
  }

  setMode(mode: Settings['mode']): void {
    if (this.draining || mode === this.mode) return;
    this.options.store.update({ mode });
    this.modeChanged(mode);
  }

  /** After a settings patch was saved: a new mode resets the policy, a new range (or new windows) moves the count into it. */
  settingsChanged(before: Settings, next: Settings): void {
    if (before.mode !== next.mode) this.modeChanged(next.mode);
    const rangeChanged = before.minReplicas !== next.minReplicas || before.maxReplicas !== next.maxReplicas;
    if (rangeChanged || JSON.stringify(before.schedules) !== JSON.stringify(next.schedules)) this.scale(this.count, { kind: 'range' });
  }

  /** Shutdown: every replica goes, the persisted count stays for the next start, and nothing changes it after. */
  drainAll(): void {
    this.draining = true;
    this.options.apply(0);
  }

  private modeChanged(mode: Settings['mode']): void {
    this.options.onModeChanged(mode);
    this.options.onEvent('mode', mode === 'auto' ? 'Autoscaling resumed' : 'Manual mode: the replica count stays where it is set');
  }
}
