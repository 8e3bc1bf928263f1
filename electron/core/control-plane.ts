// The control plane both shells drive: the contract's commands and the start/stop of the loop, over parts that
// the composition root (compose-control-plane.ts) builds and hands in, so fakes can stand in for any of them.
export type { ControlPlane, ControlPlaneParts, DockerEngine, HaproxyProcess } from './control-plane-parts.js';
import type {
  AddServiceInput, RemoveServiceInput, ForecastView, HistoryInput, LoadInput, LoadStatus, ModeInput, RemoveReplicaInput, ReplicaView, Result, RolloutView, Sample, ScaleInput, ServiceView, SetupCheck, Snapshot,
  StreamMessage, WhatIfInput, WhatIfResult,
} from '../contract/contract.js';
import { SHUTTING_DOWN_ERROR } from '../contract/contract.js';
import type { Settings } from '../contract/settings-schema.js';
import { pollUntil } from './clock.js';
import type { ControlPlane, ControlPlaneParts } from './control-plane-parts.js';
import { HistoryCommands } from './history/history-commands.js';
import { describeSettingsChange } from './settings-change.js';
import type { ReplicaTarget } from './replica-target.js';
import { changedFields, reactionsTo, type Reaction } from './settings-reactions.js';
import { checkSettingsPatch } from './settings-check.js';
import { loadTarget } from './load-generator.js';
import { runSetupChecks } from './setup-checks.js';
import { DockerWatch } from './docker-watch.js';
import { describeGeneration, generationOf, specOf } from './replicas/generation.js';
import { foreignAddressProblem, machineAddresses } from './local-addresses.js';

const ok = <T>(result: T): Result<T> => ({ result });
const fail = (error: string, field?: string): Result<never> => (field ? { error, field } : { error });
/** A replica's stop grace on top of its drain (the controller's SIGTERM grace, and a margin). */
const STOP_GRACE_S = 15;

export class ScaleDeckControlPlane implements ControlPlane {
  private checks: SetupCheck[] = [];
  private readonly dockerWatch: DockerWatch;
  private controllerStarted = false;
  private stopping = false;

  /** While true the shells refuse every command but reads (dispatchCommand); the drain to zero is under way. */
  get shuttingDown(): boolean {
    return this.stopping;
  }
  /** Settings updates run one at a time: each validates against what the previous one saved. */
  private updates: Promise<unknown> = Promise.resolve();

  private readonly target: ReplicaTarget;
  private readonly history: HistoryCommands;

  constructor(private readonly parts: ControlPlaneParts) {
    this.target = parts.target;
    this.dockerWatch = new DockerWatch(parts.docker, (kind, message) => parts.events.event(kind, message), () => parts.events.publishSnapshot(), () => parts.driver.kind !== 'process');
    this.history = new HistoryCommands(parts.history, () => this.settings, () => parts.clock.now());
  }

  get settings(): Settings {
    return this.parts.store.settings;
  }

  frontendUrl(): string {
    return this.parts.frontendUrl();
  }

  statsUrl(): string {
    return this.parts.statsUrl();
  }

  async start(): Promise<void> {
    const { events, haproxy, sampler, clock } = this.parts;
    events.event('info', `ScaleDeck starting (data folder ${this.parts.dataDir})`);
    await this.dockerWatch.refresh();
    haproxy.on('down', (reason: string) => events.event('haproxy', `HAProxy stopped: ${reason}`));
    haproxy.on('reloaded', () => events.event('haproxy', 'HAProxy reloaded its configuration in place; its sockets and servers carried over'));
    haproxy.on('restarted', () => {
      events.event('haproxy', 'HAProxy restarted; registering every ready replica again');
      this.parts.controller.kick();
      events.publishSnapshot();
    });
    // Checks first: a missing sample image starts building before the controller's first tick wants a replica of it.
    this.checks = await this.runChecks();
    this.buildSampleImageIfMissing();
    await this.startHaproxy();
    sampler.start(this.settings.sampleIntervalMs, ({ sample }) => this.onSample(sample));
    // Watch the Docker connection: a restarted engine is noticed and shown without restarting the app.
    this.dockerWatch.start(clock);
  }

  private async startHaproxy(): Promise<void> {
    const { haproxy, events } = this.parts;
    try {
      await haproxy.start();
      if (haproxy.adopted && (await haproxy.configIsStale())) {
        events.event('haproxy', 'The running HAProxy was started with other settings; reloading it with the current ones');
        await haproxy.reload();
      }
      const how = haproxy.adopted ? 'adopted, still' : 'started,';
      events.event('haproxy', `HAProxy ${haproxy.version ?? ''} ${how} serving ${this.frontendUrl()} (stats ${this.statsUrl()})`);
      if (!this.controllerStarted && !this.stopping) {
        this.controllerStarted = true;
        this.parts.controller.start();
        this.parts.waker.start();
      }
    } catch (error) {
      events.event('error', `HAProxy could not start: ${(error as Error).message}`);
    }
    events.publishSnapshot();
  }

  private onSample(sample: Sample): void {
    if (this.stopping) return;
    this.parts.events.broadcast({ type: 'sample', sample });
    if (this.controllerStarted) this.parts.autoscaler.onSample(sample);
  }

  /** First run: the sample image is built without being asked, and the first replica starts as soon as it exists. */
  private buildSampleImageIfMissing(): void {
    const missing = this.checks.find((c) => c.id === 'image' && !c.ok);
    if (!missing || this.settings.image !== this.parts.sampleImage || !this.dockerWatch.state.reachable) return;
    this.parts.events.event('docker', `${this.settings.image} is not built yet: building it now (first run; progress in the setup panel)`);
    void this.buildImage();
  }

  private runChecks(): Promise<SetupCheck[]> {
    return runSetupChecks(this.parts.probes, { image: this.settings.image, frontendPort: this.settings.frontendPort });
  }

  /** The services there are (one today: the composition builds one set of per-service parts). */
  get serviceNames(): readonly string[] {
    return this.parts.store.serviceNames;
  }

  /** The service a command names, resolved at the dispatch edge; only a caller that skipped the edge can miss. */
  private checkService(name: string): void {
    if (name !== this.serviceNames[0]) throw new Error(`There is no service named ${name}`);
  }

  snapshot(): Snapshot {
    const { haproxy, events, load, docker, sampler } = this.parts;
    const service = this.serviceView();
    return {
      services: [service],
      settings: service.settings,
      desired: service.desired,
      replicas: service.replicas,
      haproxy: { running: haproxy.running, version: haproxy.version, frontendUrl: this.frontendUrl(), statsUrl: this.statsUrl() },
      docker: this.dockerWatch.state,
      events: events.recent(100),
      sample: sampler.history.last() ?? null,
      checks: this.checks,
      load: load.status,
      imageBuild: docker.imageBuild,
      policy: service.policy,
      forecast: this.parts.forecast.status(),
      rollout: service.rollout,
    };
  }

  private serviceView(): ServiceView {
    return {
      name: this.serviceNames[0]!,
      settings: this.settings,
      desired: this.target.desired,
      replicas: this.replicaViews(),
      frontendUrl: this.frontendUrl(),
      policy: this.policyView(),
      rollout: this.parts.rollout.view(),
      sample: this.parts.sampler.history.last() ?? null,
      lastReason: this.parts.events.recent(100).findLast((e) => e.kind === 'scale' || e.kind === 'hold')?.message ?? null,
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
    const now = this.parts.clock.now();
    const { schedule, autoscaler } = this.parts;
    return {
      waitingFor: autoscaler.waitingFor,
      schedule: schedule.describe(now),
      windows: schedule.recentWindows(now),
      range: (({ minReplicas, maxReplicas }) => ({ minReplicas, maxReplicas }))(schedule.range(now)),
    };
  }

  subscribe(listener: (message: StreamMessage) => void): () => void {
    return this.parts.events.subscribe(listener);
  }

  // ---- contract commands ----

  async getSnapshot(): Promise<Result<Snapshot>> {
    return ok(this.snapshot());
  }

  async getServices(): Promise<Result<ServiceView[]>> {
    return ok([this.serviceView()]);
  }

  async addService(input: AddServiceInput): Promise<Result<ServiceView>> {
    return fail(`name: cannot add ${input.name}: this build runs one service`, 'name');
  }

  async removeService(input: RemoveServiceInput): Promise<Result<{ removed: string }>> {
    return fail(`name: cannot remove ${input.name}: this build runs one service`, 'name');
  }

  async getHistory(input: HistoryInput | undefined, service = this.serviceNames[0]!): Promise<Result<Sample[]>> {
    this.checkService(service);
    return this.history.getHistory(input);
  }

  async getForecast(_input?: unknown, service = this.serviceNames[0]!): Promise<Result<ForecastView>> {
    this.checkService(service);
    return this.parts.forecast.view();
  }

  async whatIf(input: WhatIfInput, service = this.serviceNames[0]!): Promise<Result<WhatIfResult>> {
    this.checkService(service);
    return this.history.whatIf(input);
  }

  async updateSettings(patch: unknown, service = this.serviceNames[0]!): Promise<Result<Settings>> {
    this.checkService(service);
    const run = this.updates.then(() => this.applySettings(patch));
    this.updates = run.catch(() => undefined);
    return run;
  }

  private async applySettings(patch: unknown): Promise<Result<Settings>> {
    // A change queued before the shutdown began is not applied after it (commands are refused at the dispatch edge).
    if (this.stopping) return fail(SHUTTING_DOWN_ERROR);
    const before = this.settings;
    const checked = await checkSettingsPatch(before, patch, this.parts);
    if ('error' in checked) return fail(checked.error, checked.field);
    const { next } = checked;
    this.parts.store.update(patch);
    const changed = changedFields(before, next);
    if (changed.length === 0) return ok(next);
    this.parts.events.event('settings', describeSettingsChange(before, next, changed));
    for (const reaction of reactionsTo(changed)) await this.react(reaction, before, next);
    this.parts.events.publishSnapshot();
    return ok(next);
  }

  private async react(reaction: Reaction, before: Settings, next: Settings): Promise<void> {
    const { events, sampler, haproxy, controller, driver } = this.parts;
    switch (reaction) {
      case 'range-or-mode':
        return this.target.settingsChanged(before, next);
      case 'resample':
        return sampler.start(next.sampleIntervalMs, ({ sample }) => this.onSample(sample));
      case 'rollout':
        this.parts.rollout.begin(specOf(before), specOf(next));
        return controller.kick();
      case 'driver-note':
        return events.event('settings', `The ${next.driver} driver takes over after a restart of ScaleDeck; the running replicas stay with ${driver.kind}`);
      case 'reconfigure-haproxy':
        this.stopLoadOffFrontend(before, next);
        if (!this.controllerStarted) return;
        await haproxy.reload();
        return controller.kick();
      case 'recheck':
        this.checks = await this.runChecks();
    }
  }

  async scale(input: ScaleInput, service = this.serviceNames[0]!): Promise<Result<{ desired: number; mode: Settings['mode'] }>> {
    this.checkService(service);
    const { minReplicas, maxReplicas } = this.settings;
    if (input.replicas < minReplicas || input.replicas > maxReplicas) {
      return fail(`replicas: must be between minReplicas (${minReplicas}) and maxReplicas (${maxReplicas})`, 'replicas');
    }
    const desired = this.target.scale(input.replicas, { kind: 'manual' });
    return ok({ desired, mode: this.target.mode });
  }

  async setMode(input: ModeInput, service = this.serviceNames[0]!): Promise<Result<{ mode: Settings['mode'] }>> {
    this.checkService(service);
    this.target.setMode(input.mode);
    this.parts.events.publishSnapshot();
    return ok({ mode: this.target.mode });
  }

  async removeReplica(input: RemoveReplicaInput, service = this.serviceNames[0]!): Promise<Result<{ removed: string }>> {
    this.checkService(service);
    const { controller } = this.parts;
    const replica = controller.replicas().find((r) => r.id === input.id || r.name === input.id);
    if (!replica) return fail(`id: no replica ${input.id} is running`, 'id');
    if (!controller.removeReplica(replica.id)) return fail(`id: ${replica.name} is ${replica.state} and cannot be removed now`, 'id');
    // Removing one below the minimum replaces it instead: the range is a promise (the target clamps it).
    this.target.scale(this.target.desired - 1, { kind: 'removal', replica: replica.name });
    return ok({ removed: replica.id });
  }

  async startLoad(input: LoadInput): Promise<Result<LoadStatus>> {
    if (!this.parts.haproxy.running) return fail('HAProxy is not running, so there is no frontend to send load to');
    const foreign = foreignAddressProblem(this.settings.frontendHost, machineAddresses());
    if (foreign) return fail(`frontendHost: ${foreign}; load is sent only to this machine's own frontend`, 'frontendHost');
    const target = loadTarget(this.frontendUrl(), input.path);
    if ('error' in target) return fail(target.error, 'path');
    const status = this.parts.load.start(this.frontendUrl(), input);
    this.parts.events.event('load', `Generating ${input.rate} requests/s for ${input.durationS} s against ${target.url}`);
    return ok(status);
  }

  /** A load run targets the frontend it started on; when the frontend moves, it stops rather than follow it or stay. */
  private stopLoadOffFrontend(before: Settings, next: Settings): void {
    const moved = before.frontendHost !== next.frontendHost || before.frontendPort !== next.frontendPort;
    if (!moved || !this.parts.load.status.running) return;
    const status = this.parts.load.stop();
    this.parts.events.event('load', `Load stopped after ${status.sent} requests: the frontend moved to ${this.frontendUrl()}`);
  }

  async stopLoad(): Promise<Result<LoadStatus>> {
    const wasRunning = this.parts.load.status.running;
    const status = this.parts.load.stop();
    if (wasRunning) this.parts.events.event('load', `Load stopped after ${status.sent} requests`);
    return ok(status);
  }

  async buildImage(): Promise<Result<{ started: boolean }>> {
    const { events, controller, docker, sampleImage } = this.parts;
    // Always under the sample's own tag: an image the person named is theirs, never overwritten by the sample.
    const { started, done } = docker.buildImage(sampleImage);
    done?.then(
      (built) => {
        events.event('docker', `Built ${built.tag} (${built.base} base ${built.baseImage})`);
        void this.recheck();
        controller.retryNow();
      },
      (error: unknown) => events.event('error', `Image build failed: ${(error as Error).message}`),
    );
    return ok({ started });
  }

  async rollback(_input?: unknown, service = this.serviceNames[0]!): Promise<Result<RolloutView>> {
    this.checkService(service);
    const previous = this.parts.rollout.previousSpec();
    if (!previous || !this.parts.rollout.view().canRollBack) return fail('There is no earlier version to roll back to');
    this.parts.events.event('rollout', `Rolling back to ${describeGeneration(previous.image, generationOf(previous))} (image ${previous.image}, health path ${previous.healthPath})`);
    const applied = await this.updateSettings(previous);
    return 'error' in applied ? applied : ok(this.parts.rollout.view());
  }

  async retryRollout(_input?: unknown, service = this.serviceNames[0]!): Promise<Result<RolloutView>> {
    this.checkService(service);
    if (!this.parts.rollout.retry()) return fail('No rollout is paused');
    this.parts.controller.retryNow();
    return ok(this.parts.rollout.view());
  }

  async recheck(): Promise<Result<SetupCheck[]>> {
    await this.dockerWatch.refresh();
    if (!this.parts.haproxy.running) await this.startHaproxy();
    this.checks = await this.runChecks();
    this.parts.events.publishSnapshot();
    return ok(this.checks);
  }

  async shutdown({ keepRunning }: { keepRunning: boolean }): Promise<void> {
    const { events, sampler, load, controller, haproxy, driver, clock } = this.parts;
    this.stopping = true;
    this.dockerWatch.stop();
    this.parts.waker.stop();
    load.stop();
    // A sample in flight is taken but acts on nothing (onSample checks `stopping`).
    await sampler.stop();
    await this.updates;
    if (keepRunning) {
      await controller.stop();
      haproxy.detach();
      events.event('info', 'ScaleDeck stopped; HAProxy and the replicas keep serving');
    } else {
      // Drain every replica through HAProxy before stopping it; the persisted desired count stays for next time.
      this.target.drainAll();
      const timeoutMs = (this.settings.drainTimeoutS + STOP_GRACE_S) * 1000;
      await pollUntil(clock, async () => (controller.replicas().length === 0 ? { done: undefined } : { waiting: `${controller.replicas().length} left` }), {
        timeoutMs, intervalMs: 100, describe: (left) => `replicas still running after ${timeoutMs / 1000} s (${left})`,
      }).catch((error: Error) => events.event('error', `Shutdown: ${error.message}`));
      await controller.stop();
      await haproxy.stop();
    }
    this.parts.autoscaler.endHold(clock.now());
    await this.parts.history.close();
    await this.parts.requestLog.close();
    events.close();
    await driver.close();
    await this.parts.releaseDataFolder();
  }
}
