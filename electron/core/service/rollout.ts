// The rollout's state across ticks and restarts: which generation replaces which, progress, and the pause of a bad version.
import type { EventKind, ReplicaState, RolloutView } from '../../contract/contract.js';
import type { Clock } from '../clock.js';
import { describeGeneration, generationOf } from '../replicas/generation.js';
import type { EngineUpdate, ReplicaSpec, RollingEngine } from '../replicas/replica-driver.js';
import { describeEngineUpdate, gaveUp, isUnderWay } from '../replicas/swarm/rolling-update.js';
import { isOldGeneration, type RolloutInput } from './rollout-plan.js';
import type { RolloutRecord, RolloutRecordStore } from './rollout-record.js';

/** New replicas that failed before the rollout counts it as a crashing version. */
export const CRASHES_BEFORE_PAUSE = 3;
/** How long a spec the engine refused waits before it is handed to the engine again. */
const HAND_AGAIN_AFTER_MS = 5_000;

/** A replica as the rollout looks at it each tick (the controller's tracked replica). */
export interface ReplicaInRollout {
  id: string;
  name: string;
  state: ReplicaState;
  running: boolean;
  generation?: string;
  note?: string;
}

export interface RolloutOptions {
  clock: Clock;
  /** What a new replica is now (from the settings). */
  spec: () => ReplicaSpec;
  surge: () => number;
  deadlineS: () => number;
  onEvent: (kind: EventKind, message: string) => void;
  onChange: () => void;
  store: RolloutRecordStore;
  /** An engine that rolls out itself (Swarm): it gets the spec, and its update's outcome pauses the rollout. */
  engine?: RollingEngine;
}

export class Rollout {
  private record: RolloutRecord | null;
  private state: RolloutView['state'] = 'idle';
  private replaced = 0;
  private lastProgressAt = 0;
  private readyNew = 0;
  private readonly failedNew = new Set<string>();
  /** What the last failed new replica said, kept after it is removed, for the pause's reason. */
  private lastFailure: string | undefined;
  /** A retry asks the engine to update again even though its template is unchanged. */
  private engineRetry = false;
  /**
   * When the engine's latest update started just before this rollout asked for one: an update that gave up with that
   * same start is an earlier one, no reason to pause. Null: any counts (a restart mid-rollout); undefined: not asked.
   */
  private engineBefore: string | null | undefined = undefined;
  /** The engine's last update state reported as an event, so each change is told once. */
  private engineTold = '';
  /** A spec being handed to the engine; the next one waits for it. */
  private handing: Promise<void> | null = null;
  /** After a failed hand-over, when to try again (epoch ms). */
  private handAgainAt = 0;
  /** The generation last handed to the engine. */
  private handed: string | null = null;

  constructor(private readonly options: RolloutOptions) {
    this.record = options.store.load();
  }

  /** A saved settings change made a new generation: `from` is what a rollback restores. */
  begin(from: ReplicaSpec, to: ReplicaSpec): void {
    if (generationOf(from) === generationOf(to)) return;
    const startedAt = this.options.clock.now();
    // A change during a rollout keeps the generation that served before it as the one to roll back to; a change
    // back to that very generation (a rollback) remembers the abandoned one instead.
    const earlier = this.state !== 'idle' ? this.record?.from : undefined;
    const keepFrom = earlier && generationOf(earlier) !== generationOf(to) ? earlier : from;
    this.record = { from: keepFrom, to, startedAt, total: 0, paused: null };
    this.state = 'idle';
    this.options.store.save(this.record);
  }

  /** The spec a rollback restores: the last generation that served before the latest change. */
  previousSpec(): ReplicaSpec | null {
    return this.record?.from ?? null;
  }

  /**
   * Called by the controller before each pass when the engine rolls out itself: a template of another generation
   * than the settings' is handed to the engine at once, unless the engine gave up on this very version (then it waits
   * for a retry or a rollback, which is a settings change like any other). It does not hold up the pass: the driver
   * may wait for an update under way to end first, and meanwhile the passes go on draining what the engine replaces.
   */
  async sync(): Promise<void> {
    const engine = this.options.engine;
    const template = engine?.template();
    // While Swarm's update runs, a new one would make it start over: the change is handed over once it ends.
    if (!engine || !template || this.handing || isUnderWay(template.update)) return;
    const spec = this.options.spec();
    const generation = generationOf(spec);
    const again = this.engineRetry;
    const startedAt = template.update?.startedAt ?? null;
    if (!again && (template.generation === generation || this.state === 'paused')) return;
    // Handed over already, and the listing has not caught up with Swarm's answer yet.
    if (!again && this.handed === generation && startedAt === this.engineBefore) return;
    if (this.options.clock.now() < this.handAgainAt) return;
    this.engineRetry = false;
    this.engineBefore = startedAt;
    this.handing = engine.rollTo(spec, { again }).then(
      () => {
        this.handed = generation;
        this.handAgainAt = 0;
      },
      (error: unknown) => {
        this.handed = null;
        this.engineRetry = again;
        this.handAgainAt = this.options.clock.now() + HAND_AGAIN_AFTER_MS;
        this.options.onEvent('error', `Could not hand ${this.describe(spec)} to Swarm: ${(error as Error).message} (trying again in ${HAND_AGAIN_AFTER_MS / 1000} s)`);
      },
    ).finally(() => {
      this.handing = null;
    });
  }

  /**
   * True while nothing is rolled out nor about to be: every replica is of the settings' generation, and an engine that
   * rolls out itself has that generation as its template, no update under way and none being handed to it. A count
   * change may then be planned without this tick's rollout step. Changes nothing, unlike observe().
   */
  steady(replicas: readonly ReplicaInRollout[]): boolean {
    const generation = generationOf(this.options.spec());
    if (this.state !== 'idle' || replicas.some((r) => isOldGeneration(r, generation))) return false;
    if (!this.options.engine) return true;
    const template = this.options.engine.template();
    return template !== null && template.generation === generation && !isUnderWay(template.update) && !this.handing;
  }

  /** Called by the controller every tick with what it tracks; answers the limits for this tick's plan. */
  observe(replicas: readonly ReplicaInRollout[]): RolloutInput {
    const spec = this.options.spec();
    const generation = generationOf(spec);
    const update = this.options.engine?.template()?.update ?? null;
    const engine = this.options.engine ? { updating: isUnderWay(update) } : undefined;
    const input: RolloutInput = { generation, surge: this.options.surge(), paused: this.state === 'paused', ...(engine ? { engine } : {}) };
    const old = replicas.filter((r) => isOldGeneration(r, generation));
    if (old.length === 0) {
      if (this.state !== 'idle') this.finish();
      return { ...input, paused: false };
    }
    if (this.state === 'idle') this.start(spec, old.length);
    const record = this.record!;
    const now = this.options.clock.now();
    const fresh = replicas.filter((r) => r.generation === generation);
    const readyNew = fresh.filter((r) => r.state === 'ready').length;
    const replaced = Math.max(0, record.total - old.filter((r) => r.state !== 'draining' && r.state !== 'stopping').length);
    // A drain under way is progress too: its length is bounded by drainTimeoutS, not by this deadline.
    const draining = old.some((r) => r.state === 'draining' || r.state === 'stopping');
    if (replaced !== this.replaced || readyNew > this.readyNew || draining) {
      this.lastProgressAt = now;
      if (replaced !== this.replaced) this.options.onChange();
    }
    this.replaced = replaced;
    this.readyNew = readyNew;
    if (engine) {
      this.followEngine(update);
      return { ...input, paused: this.isPaused() };
    }
    if (this.state !== 'running') return input;

    for (const r of fresh) {
      if (r.state !== 'failed' && r.running) continue;
      this.failedNew.add(r.id);
      this.lastFailure = r.note ?? this.lastFailure;
    }
    const lastFailure = this.lastFailure;
    if (this.failedNew.size >= CRASHES_BEFORE_PAUSE) {
      this.pause(`${this.failedNew.size} new replicas of ${describeGeneration(spec.image, generation)} failed${lastFailure ? ` (${lastFailure})` : ''}`);
    } else if (old.some((r) => r.state === 'ready') && now - this.lastProgressAt > this.options.deadlineS() * 1000) {
      // Only while an old replica still serves: one that never got ready (abandoned by a rollback) is no reason.
      this.pause(`no new replica of ${describeGeneration(spec.image, generation)} became ready within ${this.options.deadlineS()} s${lastFailure ? ` (${lastFailure})` : ''}`);
    }
    return { ...input, paused: this.isPaused() };
  }

  /** The engine decides what fails: its rollback (or a pause) of the update this rollout asked for pauses it here. */
  private followEngine(update: EngineUpdate | null): void {
    if (!update || this.engineBefore === undefined || update.startedAt === this.engineBefore) return;
    const told = `${update.state} ${update.startedAt}`;
    if (told !== this.engineTold) {
      this.engineTold = told;
      if (update.state !== 'updating') this.options.onEvent('rollout', describeEngineUpdate(update));
    }
    if (!gaveUp(update)) return;
    if (this.state === 'running') this.pause(describeEngineUpdate(update));
    else if (this.record && this.record.paused !== describeEngineUpdate(update)) {
      // Swarm moved on (rolling back -> rolled back): the reason says where it is now.
      this.record = { ...this.record, paused: describeEngineUpdate(update) };
      this.options.store.save(this.record);
      this.options.onChange();
    }
  }

  private isPaused(): boolean {
    return this.state === 'paused';
  }

  /** Resumes a paused rollout with a fresh deadline and crash count. */
  retry(): boolean {
    if (this.state !== 'paused' || !this.record) return false;
    this.state = 'running';
    this.record = { ...this.record, paused: null };
    this.options.store.save(this.record);
    this.engineRetry = this.options.engine !== undefined;
    // The update the engine gave up on is an earlier one from now on, whatever a pass under way observes next.
    if (this.options.engine) this.engineBefore = this.options.engine.template()?.update?.startedAt ?? null;
    this.failedNew.clear();
    this.lastFailure = undefined;
    this.lastProgressAt = this.options.clock.now();
    this.options.onEvent('rollout', `Rollout to ${this.describe(this.record.to)} resumed: ${this.replaced} of ${this.record.total} replaced so far`);
    this.options.onChange();
    return true;
  }

  view(): RolloutView {
    const record = this.record;
    const active = this.state !== 'idle' && record !== null;
    return {
      state: this.state,
      from: active && record.from ? this.describe(record.from) : null,
      to: active ? this.describe(record.to) : null,
      replaced: active ? this.replaced : 0,
      total: active ? record.total : 0,
      reason: this.state === 'paused' ? (record?.paused ?? null) : null,
      canRollBack: record?.from != null && generationOf(record.from) !== generationOf(this.options.spec()),
    };
  }

  private describe(spec: ReplicaSpec): string {
    return describeGeneration(spec.image, generationOf(spec));
  }

  private start(spec: ReplicaSpec, oldCount: number): void {
    const now = this.options.clock.now();
    // After a restart the record names the same target: it resumes where it was, paused if it was.
    const resumed = this.record !== null && generationOf(this.record.to) === generationOf(spec);
    const restarted = resumed && this.record!.total > 0;
    this.record = resumed
      ? { ...this.record!, total: Math.max(this.record!.total, oldCount), startedAt: this.record!.total > 0 ? this.record!.startedAt : now }
      : { from: null, to: spec, startedAt: now, total: oldCount, paused: null };
    this.state = this.record.paused ? 'paused' : 'running';
    // Resumed after a restart: the engine may have given up meanwhile, whenever its update started.
    if (restarted) this.engineBefore = null;
    else this.engineBefore ??= this.options.engine?.template()?.update?.startedAt ?? null;
    this.replaced = this.record.total - oldCount;
    this.readyNew = 0;
    this.failedNew.clear();
    this.lastFailure = undefined;
    this.lastProgressAt = now;
    this.options.store.save(this.record);
    const what = `${oldCount} replica(s) to ${this.describe(spec)}${this.record.from ? ` from ${this.describe(this.record.from)}` : ''}`;
    this.options.onEvent('rollout', this.state === 'paused'
      ? `Rollout of ${what} is still paused: ${this.record.paused}`
      : `Rolling out ${what}, ${this.options.surge()} at a time${this.replaced > 0 ? ` (${this.replaced} of ${this.record.total} already replaced)` : ''}`);
    this.options.onChange();
  }

  private pause(reason: string): void {
    this.state = 'paused';
    this.record = { ...this.record!, paused: reason };
    this.options.store.save(this.record);
    const afterS = ((this.options.clock.now() - this.record!.startedAt) / 1000).toFixed(1);
    this.options.onEvent('rollout', `Rollout paused after ${afterS} s, the old replicas keep serving: ${reason}. Roll back, or fix the setting and retry`);
    this.options.onChange();
  }

  private finish(): void {
    const record = this.record!;
    const tookS = ((this.options.clock.now() - record.startedAt) / 1000).toFixed(1);
    this.options.onEvent('rollout', `Rollout to ${this.describe(record.to)} finished: ${record.total} replaced in ${tookS} s`);
    this.state = 'idle';
    this.replaced = 0;
    this.engineBefore = undefined;
    // `from` stays for a later rollback; total 0 marks the record as finished for the next start.
    this.record = { ...record, total: 0, paused: null };
    this.options.store.save(this.record);
    this.options.onChange();
  }
}
