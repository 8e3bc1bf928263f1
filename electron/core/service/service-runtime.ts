// One service at run time: its commands (scale, mode, removal, history, what-if, forecast, rollback), its view for the
// snapshot, its loop's start, and its drain. What concerns the whole app (HAProxy, settings checks, load) stays in the
// control plane, which holds one of these per service.
import type {
  ForecastView, HistoryInput, ModeInput, RemoveReplicaInput, ReplicaView, Result, RolloutView, Sample, ScaleInput, ServiceView, Snapshot, WhatIfInput,
  WhatIfResult,
} from '../../contract/contract.js';
import type { Settings } from '../../contract/settings-schema.js';
import { pollUntil, type Clock } from '../clock.js';
import { HistoryCommands } from '../history/history-commands.js';
import { describeGeneration } from '../replicas/generation.js';
import type { ServiceParts } from './compose-service.js';

const ok = <T>(result: T): Result<T> => ({ result });
const fail = (error: string, field?: string): Result<never> => (field ? { error, field } : { error });
/** A replica's stop grace on top of its drain (the controller's SIGTERM grace, and a margin). */
const STOP_GRACE_S = 15;

export class ServiceRuntime {
  private readonly history: HistoryCommands;
  private started = false;
  /** Its latest scale decision or hold, for the overview. */
  private lastReason: string | null = null;

  constructor(readonly parts: ServiceParts, private readonly clock: Clock, private readonly frontendUrl: () => string) {
    this.history = new HistoryCommands(parts.history, () => this.settings, () => clock.now());
  }

  get name(): string {
    return this.parts.name;
  }

  get settings(): Settings {
    return this.parts.store.settings;
  }

  /** The loop: the controller converges on the target, the waker watches for held requests. Once HAProxy serves. */
  startLoop(): void {
    if (this.started) return;
    this.started = true;
    this.parts.controller.start();
    this.parts.waker.start();
  }

  startSampling(intervalMs: number, onSample: (sample: Sample) => void): void {
    this.parts.sampler.start(intervalMs, ({ sample }) => onSample({ ...sample, service: this.name }));
  }

  /** A sample of this service: the policy acts on it once the loop runs; history and forecast keep it. */
  onSample(sample: Sample): void {
    this.parts.history.appendSample(sample);
    this.parts.forecast.onSample(sample);
    if (this.started) this.parts.autoscaler.onSample(sample);
  }

  noteEvent(kind: string, message: string): void {
    if (kind === 'scale' || kind === 'hold') this.lastReason = message;
  }

  view(): ServiceView {
    return {
      name: this.name,
      settings: this.settings,
      desired: this.parts.target.desired,
      replicas: this.replicaViews(),
      frontendUrl: this.frontendUrl(),
      policy: this.policyView(),
      rollout: this.parts.rollout.view(),
      sample: this.parts.sampler.history.last() ?? null,
      lastReason: this.lastReason,
      forecast: this.parts.forecast.status(),
      ...(this.parts.store.origin ? { project: this.parts.store.origin.project } : {}),
    };
  }

  private replicaViews(): ReplicaView[] {
    const { sampler, controller } = this.parts;
    const stats = sampler.stats;
    return controller.replicas().map((r) => {
      const s = stats.get(r.id);
      return {
        id: r.id,
        name: r.name,
        hostPort: r.hostPort,
        state: r.state,
        cpuPercent: s?.cpuPercent ?? null,
        memBytes: s?.memBytes ?? null,
        startedAt: r.startedAt,
        generation: describeGeneration(r.image, r.generation),
        ...(r.note ? { note: r.note } : s === null ? { note: sampler.statsProblems.get(r.id) ?? 'stats unavailable' } : {}),
        ...(r.node ? { node: r.node } : {}),
      };
    });
  }

  private policyView(): Snapshot['policy'] {
    const now = this.clock.now();
    const { schedule, autoscaler } = this.parts;
    return {
      waitingFor: autoscaler.waitingFor,
      schedule: schedule.describe(now),
      windows: schedule.recentWindows(now),
      range: (({ minReplicas, maxReplicas }) => ({ minReplicas, maxReplicas }))(schedule.range(now)),
    };
  }

  getHistory(input?: HistoryInput): Promise<Result<Sample[]>> {
    return this.history.getHistory(input);
  }

  getForecast(): Result<ForecastView> | Promise<Result<ForecastView>> {
    return this.parts.forecast.view();
  }

  whatIf(input: WhatIfInput): Promise<Result<WhatIfResult>> {
    return this.history.whatIf(input);
  }

  scale(input: ScaleInput): Result<{ desired: number; mode: Settings['mode'] }> {
    const { minReplicas, maxReplicas } = this.settings;
    if (input.replicas < minReplicas || input.replicas > maxReplicas) {
      return fail(`replicas: must be between minReplicas (${minReplicas}) and maxReplicas (${maxReplicas})`, 'replicas');
    }
    const desired = this.parts.target.scale(input.replicas, { kind: 'manual' });
    return ok({ desired, mode: this.parts.target.mode });
  }

  setMode(input: ModeInput): Result<{ mode: Settings['mode'] }> {
    this.parts.target.setMode(input.mode);
    return ok({ mode: this.parts.target.mode });
  }

  removeReplica(input: RemoveReplicaInput): Result<{ removed: string }> {
    const { controller, target } = this.parts;
    const replica = controller.replicas().find((r) => r.id === input.id || r.name === input.id);
    if (!replica) return fail(`id: no replica ${input.id} is running`, 'id');
    if (!controller.removeReplica(replica.id)) return fail(`id: ${replica.name} is ${replica.state} and cannot be removed now`, 'id');
    // Removing one below the minimum replaces it instead: the range is a promise (the target clamps it).
    target.scale(target.desired - 1, { kind: 'removal', replica: replica.name });
    return ok({ removed: replica.id });
  }

  retryRollout(): Result<RolloutView> {
    if (!this.parts.rollout.retry()) return fail('No rollout is paused');
    this.parts.controller.retryNow();
    return ok(this.parts.rollout.view());
  }

  /** Drains every replica through HAProxy, then stops them; the persisted desired count stays. */
  async drainAll(): Promise<void> {
    const { target, controller } = this.parts;
    target.drainAll();
    const timeoutMs = (this.settings.drainTimeoutS + STOP_GRACE_S) * 1000;
    await pollUntil(this.clock, async () => (controller.replicas().length === 0 ? { done: undefined } : { waiting: `${controller.replicas().length} left` }), {
      timeoutMs, intervalMs: 100, describe: (left) => `replicas of ${this.name} still running after ${timeoutMs / 1000} s (${left})`,
    }).catch((error: Error) => this.parts.say('error', `Shutdown: ${error.message}`));
  }

  /** Takes no more samples and wakes nothing: the first step of a shutdown or removal. */
  async quiet(): Promise<void> {
    this.parts.waker.stop();
    await this.parts.sampler.stop();
  }

  /** Stops the loop and closes what the service holds open; its replicas are left as they are. */
  async close(): Promise<void> {
    const { waker, sampler, controller, autoscaler, history, driver } = this.parts;
    waker.stop();
    await sampler.stop();
    await controller.stop();
    autoscaler.endHold(this.clock.now());
    await history.close();
    await driver.close();
  }
}
