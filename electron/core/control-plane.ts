// The control plane both shells drive: the contract's commands and the start/stop of the loop, over parts that
// the composition root (compose-control-plane.ts) builds and hands in, so fakes can stand in for any of them. It holds
// one ServiceRuntime per service and what is one for the whole app: HAProxy, the settings checks, load, the checks.
export type { ControlPlane, ControlPlaneParts, DockerEngine, HaproxyProcess } from './control-plane-parts.js';
import type {
  AddServiceInput, ForecastView, HistoryInput, LoadInput, LoadStatus, ModeInput, RemoveReplicaInput, RemoveServiceInput, Result, RolloutView, Sample,
  ScaleInput, ServiceView, SetupCheck, Snapshot, StreamMessage, WhatIfInput, WhatIfResult,
} from '../contract/contract.js';
import { SHUTTING_DOWN_ERROR } from '../contract/contract.js';
import { isGlobalSetting, SettingsError, type Settings } from '../contract/settings-schema.js';
import type { ControlPlane, ControlPlaneParts } from './control-plane-parts.js';
import { describeSettingsChange } from './settings-change.js';
import { changedFields, reactionsTo, type Reaction } from './settings-reactions.js';
import { checkSettingsPatch } from './settings-check.js';
import { loadTarget } from './load-generator.js';
import { runSetupChecks } from './setup-checks.js';
import { DockerWatch } from './docker-watch.js';
import { describeGeneration, generationOf, specOf } from './replicas/generation.js';
import { foreignAddressProblem, machineAddresses } from './local-addresses.js';
import { ServiceRuntime } from './service/service-runtime.js';
import type { ServiceCpu } from './policy/host-budget.js';
import { loadAddressOf, loadPathOf, servedOnlyShared } from './service-address.js';
import type { ComposeAccess, ComposeInput, ComposeProjectInput, ComposeProjectView } from '../contract/compose-contract.js';
import { ComposeProjects } from './compose/compose-projects.js';
import type { ServiceOrigin } from './compose/service-origin.js';

const NO_COMPOSE = 'Compose files need the Docker engine; this app runs without one';
const ok = <T>(result: T): Result<T> => ({ result });
const fail = (error: string, field?: string): Result<never> => (field ? { error, field } : { error });

export class ScaleDeckControlPlane implements ControlPlane {
  private checks: SetupCheck[] = [];
  private readonly dockerWatch: DockerWatch;
  private haproxyServing = false;
  private stopping = false;
  private readonly services = new Map<string, ServiceRuntime>();
  /** Each service's latest request rate, for the request log's sampling of the whole app. */
  private readonly rates = new Map<string, number | null>();
  private readonly compose: ComposeProjects | null;

  /** While true the shells refuse every command but reads (dispatchCommand); the drain to zero is under way. */
  get shuttingDown(): boolean {
    return this.stopping;
  }
  /** Settings updates, and adding and removing services, run one at a time: each sees what the previous one saved. */
  private updates: Promise<unknown> = Promise.resolve();

  constructor(private readonly parts: ControlPlaneParts) {
    this.dockerWatch = new DockerWatch(parts.docker, (kind, message) => parts.events.event(kind, message), () => parts.events.publishSnapshot(), () => this.settings.driver !== 'process');
    for (const service of parts.services) this.services.set(service.name, this.runtimeOf(service));
    this.compose = parts.composeEngine && new ComposeProjects(parts.composeEngine, {
      store: parts.store,
      driverKind: () => this.first.parts.driver.kind,
      add: (input, origin, desired) => this.applyAddService(input, origin, desired),
      update: (name, patch) => this.applySettings(this.service(name), patch),
      remove: (name) => this.applyRemoveService({ name }),
      rollOut: (name, before, after) => {
        const runtime = this.service(name);
        runtime.parts.rollout.begin(specOf(runtime.settings, before?.runtime), specOf(runtime.settings, after.runtime));
        runtime.parts.controller.kick();
      },
      freePort: parts.freePort,
    });
    // Events of a service go to its history; those of the whole app to the first service's (as before services).
    parts.events.subscribe((message) => {
      if (message.type !== 'event') return;
      const runtime = this.services.get(message.event.service ?? '') ?? this.first;
      runtime.parts.history.appendEvent(message.event);
      if (message.event.service) runtime.noteEvent(message.event.kind, message.event.message);
    });
  }

  private runtimeOf(service: ControlPlaneParts['services'][number]): ServiceRuntime {
    return new ServiceRuntime(service, this.parts.clock, () => this.parts.frontendUrlOf(service.store.settings));
  }

  /** The first service: what the snapshot's top-level fields and the app-wide checks describe. */
  private get first(): ServiceRuntime {
    return this.services.values().next().value!;
  }

  /** The first service's settings with the global ones: the whole of an app of one service. */
  get settings(): Settings {
    return this.first.settings;
  }

  get serviceNames(): readonly string[] {
    return [...this.services.keys()];
  }

  /** The service a command names, resolved at the dispatch edge; only a caller that skipped the edge can miss. */
  private service(name: string | undefined): ServiceRuntime {
    const runtime = name === undefined ? this.first : this.services.get(name);
    if (!runtime) throw new Error(`There is no service named ${name}`);
    return runtime;
  }

  frontendUrl(): string {
    return this.parts.frontendUrlOf(this.settings);
  }

  statsUrl(): string {
    return this.parts.statsUrl();
  }

  async start(): Promise<void> {
    const { events, haproxy, clock } = this.parts;
    events.event('info', `ScaleDeck starting (data folder ${this.parts.dataDir}; ${this.services.size} service(s): ${this.serviceNames.join(', ')})`);
    await this.dockerWatch.refresh();
    haproxy.on('down', (reason: string) => events.event('haproxy', `HAProxy stopped: ${reason}`));
    haproxy.on('reloaded', () => events.event('haproxy', 'HAProxy reloaded its configuration in place; its sockets and servers carried over'));
    haproxy.on('restarted', () => {
      events.event('haproxy', 'HAProxy restarted; registering every ready replica again');
      for (const runtime of this.services.values()) runtime.parts.controller.kick();
      events.publishSnapshot();
    });
    // Checks first: a missing sample image starts building before the controller's first tick wants a replica of it.
    this.checks = await this.runChecks();
    this.buildSampleImageIfMissing();
    await this.startHaproxy();
    for (const runtime of this.services.values()) this.startSampling(runtime);
    await this.compose?.resume((message, service) => events.event('error', message, service));
    // Watch the Docker connection: a restarted engine is noticed and shown without restarting the app.
    this.dockerWatch.start(clock);
  }

  private startSampling(runtime: ServiceRuntime): void {
    runtime.startSampling(this.settings.sampleIntervalMs, (sample) => this.onSample(runtime, sample));
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
      events.event('haproxy', `HAProxy ${haproxy.version ?? ''} ${how} serving ${this.serviceNames.map((name) => this.service(name).view().frontendUrl).join(', ')} (stats ${this.statsUrl()})`);
      if (!this.haproxyServing && !this.stopping) {
        this.haproxyServing = true;
        for (const runtime of this.services.values()) runtime.startLoop();
      }
    } catch (error) {
      events.event('error', `HAProxy could not start: ${(error as Error).message}`);
    }
    events.publishSnapshot();
  }

  private onSample(runtime: ServiceRuntime, sample: Sample): void {
    if (this.stopping) return;
    this.parts.events.broadcast({ type: 'sample', sample });
    runtime.onSample(sample);
    this.rates.set(runtime.name, sample.rps);
    const rates = [...this.rates.values()];
    this.parts.followRate(rates.some((r) => r !== null) ? rates.reduce<number>((sum, r) => sum + (r ?? 0), 0) : null);
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

  /** What every service asks of the host's CPUs: its desired count and spares, at its CPU limit. */
  serviceCpu(): ServiceCpu[] {
    return [...this.services.values()].map((runtime) => ({
      name: runtime.name,
      replicas: runtime.parts.target.desired + runtime.settings.standbyReplicas,
      cpuLimit: runtime.settings.cpuLimit,
    }));
  }

  snapshot(): Snapshot {
    const { haproxy, events, load, docker } = this.parts;
    const services = [...this.services.values()].map((runtime) => runtime.view());
    const first = services[0]!;
    return {
      services,
      settings: first.settings,
      desired: first.desired,
      replicas: first.replicas,
      haproxy: { running: haproxy.running, version: haproxy.version, frontendUrl: first.frontendUrl, statsUrl: this.statsUrl() },
      docker: this.dockerWatch.state,
      events: events.recent(100),
      sample: first.sample,
      checks: this.checks,
      load: load.status,
      imageBuild: docker.imageBuild,
      policy: first.policy,
      forecast: this.first.parts.forecast.status(),
      rollout: first.rollout,
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
    return ok([...this.services.values()].map((runtime) => runtime.view()));
  }

  addService(input: AddServiceInput): Promise<Result<ServiceView>> {
    return this.queue(() => this.applyAddService(input));
  }

  removeService(input: RemoveServiceInput): Promise<Result<{ removed: string }>> {
    return this.queue(() => this.applyRemoveService(input));
  }

  async planCompose(input: ComposeInput, access: ComposeAccess = { hostFiles: true }): Promise<Result<ComposeProjectView>> {
    return this.compose ? this.compose.plan({ ...input, hostFiles: access.hostFiles }) : fail(NO_COMPOSE);
  }

  applyCompose(input: ComposeInput, access: ComposeAccess = { hostFiles: true }): Promise<Result<ComposeProjectView>> {
    return this.queue(() => (this.compose ? this.compose.apply({ ...input, hostFiles: access.hostFiles }) : Promise.resolve(fail(NO_COMPOSE))));
  }

  async getComposeProjects(): Promise<Result<ComposeProjectView[]>> {
    return this.compose ? this.compose.list() : ok([]);
  }

  removeCompose(input: ComposeProjectInput): Promise<Result<{ removed: string[] }>> {
    return this.queue(() => (this.compose ? this.compose.remove(input.project) : Promise.resolve(fail(NO_COMPOSE))));
  }

  async getHistory(input: HistoryInput | undefined, service?: string): Promise<Result<Sample[]>> {
    return this.service(service).getHistory(input);
  }

  async getForecast(_input?: unknown, service?: string): Promise<Result<ForecastView>> {
    return this.service(service).getForecast();
  }

  async whatIf(input: WhatIfInput, service?: string): Promise<Result<WhatIfResult>> {
    return this.service(service).whatIf(input);
  }

  updateSettings(patch: unknown, service?: string): Promise<Result<Settings>> {
    const runtime = this.service(service);
    return this.queue(() => this.applySettings(runtime, patch));
  }

  private queue<T>(step: () => Promise<Result<T>>): Promise<Result<T>> {
    const run = this.updates.then(() => (this.stopping ? fail(SHUTTING_DOWN_ERROR) : step()));
    this.updates = run.catch(() => undefined);
    return run;
  }

  /** The config HAProxy would run with `next` for one service (and every other one as it is). */
  private renderWith(name: string, next: Settings, names: readonly string[] = this.serviceNames): string {
    return this.parts.renderConfigFor((n) => (n === name ? next : this.services.get(n)?.settings), names);
  }

  private async applySettings(runtime: ServiceRuntime, patch: unknown): Promise<Result<Settings>> {
    if (!this.services.has(runtime.name)) return fail(`service: there is no service named ${runtime.name}`, 'service');
    const before = runtime.settings;
    try {
      // The store's own rules first (every service's, for a global change): they say what is wrong in its own words,
      // before HAProxy is asked about a config those rules already refuse.
      runtime.parts.store.check(patch);
    } catch (error) {
      if (error instanceof SettingsError) return fail(error.message, error.field);
      throw error;
    }
    const checked = await checkSettingsPatch(before, patch, { ...this.parts, render: (next) => this.renderWith(runtime.name, next) });
    if ('error' in checked) return fail(checked.error, checked.field);
    try {
      runtime.parts.store.update(patch);
    } catch (error) {
      // Another service's settings can refuse a global change, or a frontend another service has.
      if (error instanceof SettingsError) return fail(error.message, error.field);
      throw error;
    }
    const next = runtime.settings;
    const changed = changedFields(before, next);
    if (changed.length === 0) return ok(next);
    const global = changed.every((field) => isGlobalSetting(field));
    this.parts.events.event('settings', describeSettingsChange(before, next, changed), global || this.services.size === 1 ? undefined : runtime.name);
    for (const reaction of reactionsTo(changed)) await this.react(reaction, runtime, before, next);
    this.parts.events.publishSnapshot();
    return ok(next);
  }

  private async react(reaction: Reaction, runtime: ServiceRuntime, before: Settings, next: Settings): Promise<void> {
    const { events, haproxy } = this.parts;
    switch (reaction) {
      case 'range-or-mode':
        return runtime.parts.target.settingsChanged(before, next);
      case 'resample':
        for (const each of this.services.values()) this.startSampling(each);
        return;
      case 'rollout':
        runtime.parts.rollout.begin(specOf(before, runtime.parts.store.origin?.runtime), specOf(next, runtime.parts.store.origin?.runtime));
        return runtime.parts.controller.kick();
      case 'driver-note':
        return events.event('settings', `The ${next.driver} driver takes over after a restart of ScaleDeck; the running replicas stay with ${runtime.parts.driver.kind}`);
      case 'reconfigure-haproxy':
        this.stopLoadOffFrontend(before, next);
        if (!this.haproxyServing) return;
        await haproxy.reload();
        for (const each of this.services.values()) each.parts.controller.kick();
        return;
      case 'recheck':
        this.checks = await this.runChecks();
    }
  }

  private async applyAddService(input: AddServiceInput, origin?: ServiceOrigin, desired?: number): Promise<Result<ServiceView>> {
    const { name, ...patch } = input;
    const { store, events, haproxy } = this.parts;
    let settings: Settings;
    try {
      const added = store.addService(name, patch, origin);
      // A Compose file's `deploy.replicas` is where the service starts (within its range, which the target keeps).
      if (desired !== undefined) added.setDesired(Math.min(Math.max(desired, added.settings.minReplicas), added.settings.maxReplicas));
      settings = added.settings;
    } catch (error) {
      if (error instanceof SettingsError) return fail(error.message, error.field);
      throw error;
    }
    const undo = () => store.removeService(name);
    const blocker = servedOnlyShared(settings) ? null : await this.parts.portBlocker(settings.frontendPort, settings.frontendHost);
    if (blocker) {
      undo();
      return fail(`frontendPort: ${blocker}; choose another port`, 'frontendPort');
    }
    try {
      await haproxy.checkConfig(this.renderWith(name, settings, [...this.serviceNames, name]));
    } catch (error) {
      undo();
      return fail(`frontendPort: HAProxy refuses the new service's frontend: ${(error as Error).message}`, 'frontendPort');
    }
    let runtime: ServiceRuntime;
    try {
      runtime = this.runtimeOf(await this.parts.composeService(name));
    } catch (error) {
      undo();
      return fail(`name: ${name} could not be set up: ${(error as Error).message}`, 'name');
    }
    this.services.set(name, runtime);
    events.event('settings', `Service ${name} added: ${settings.image}, port ${settings.containerPort}, frontend ${runtime.view().frontendUrl}, ${settings.minReplicas} to ${settings.maxReplicas} replicas (${settings.mode})`, name);
    // Its frontend and backend exist before its first replica is registered in them.
    if (this.haproxyServing) {
      await haproxy.reload().catch((error: unknown) => events.event('error', `HAProxy could not take the new service ${name}: ${(error as Error).message}`, name));
      runtime.startLoop();
    }
    this.startSampling(runtime);
    events.publishSnapshot();
    return ok(runtime.view());
  }

  private async applyRemoveService(input: RemoveServiceInput): Promise<Result<{ removed: string }>> {
    const runtime = this.services.get(input.name);
    if (!runtime) return { error: `name: there is no service named ${input.name} (services: ${this.serviceNames.join(', ')})`, field: 'name', notFound: true };
    if (this.services.size === 1) return fail(`name: ${input.name} is the only service; an app keeps at least one`, 'name');
    const { events, haproxy, store } = this.parts;
    const origin = store.service(input.name).origin;
    events.event('settings', `Removing service ${input.name}: draining its ${runtime.parts.controller.replicas().length} replica(s)`, input.name);
    // Drained through HAProxy first: its clients get their answers; then its frontend and backend go.
    await runtime.drainAll();
    await runtime.close();
    this.services.delete(input.name);
    this.rates.delete(input.name);
    store.removeService(input.name);
    if (this.haproxyServing) await haproxy.reload().catch((error: unknown) => events.event('error', `HAProxy could not drop the service ${input.name}: ${(error as Error).message}`));
    if (origin) {
      await this.parts.composeEngine?.removeRelay(input.name).catch((error: unknown) => events.event('error', `The relay for ${input.name} could not be removed: ${(error as Error).message}`));
    }
    events.event('settings', `Service ${input.name} removed`);
    events.publishSnapshot();
    return ok({ removed: input.name });
  }

  async scale(input: ScaleInput, service?: string): Promise<Result<{ desired: number; mode: Settings['mode'] }>> {
    return this.service(service).scale(input);
  }

  async setMode(input: ModeInput, service?: string): Promise<Result<{ mode: Settings['mode'] }>> {
    const result = this.service(service).setMode(input);
    this.parts.events.publishSnapshot();
    return result;
  }

  async removeReplica(input: RemoveReplicaInput, service?: string): Promise<Result<{ removed: string }>> {
    return this.service(service).removeReplica(input);
  }

  async startLoad(input: LoadInput, service?: string): Promise<Result<LoadStatus>> {
    if (!this.parts.haproxy.running) return fail('HAProxy is not running, so there is no frontend to send load to');
    const runtime = this.service(service);
    const hostField = servedOnlyShared(runtime.settings) ? 'sharedFrontendHost' : 'frontendHost';
    const foreign = foreignAddressProblem(runtime.settings[hostField], machineAddresses());
    if (foreign) return fail(`${hostField}: ${foreign}; load is sent only to this machine's own frontend`, hostField);
    const { frontend, host } = loadAddressOf(runtime.settings);
    const routed = { ...input, path: loadPathOf(runtime.settings, input.path) };
    const target = loadTarget(frontend, routed.path);
    if ('error' in target) return fail(target.error, 'path');
    const status = this.parts.load.start(frontend, routed, host);
    this.parts.events.event('load', `Generating ${input.rate} requests/s for ${input.durationS} s against ${target.url}`, this.services.size > 1 ? runtime.name : undefined);
    return ok(status);
  }

  /** A load run targets the frontend it started on; when the frontend moves, it stops rather than follow it or stay. */
  private stopLoadOffFrontend(before: Settings, next: Settings): void {
    const moved = this.parts.frontendUrlOf(before) !== this.parts.frontendUrlOf(next);
    if (!moved || !this.parts.load.status.running) return;
    const status = this.parts.load.stop();
    this.parts.events.event('load', `Load stopped after ${status.sent} requests: the frontend moved to ${this.parts.frontendUrlOf(next)}`);
  }

  async stopLoad(): Promise<Result<LoadStatus>> {
    const wasRunning = this.parts.load.status.running;
    const status = this.parts.load.stop();
    if (wasRunning) this.parts.events.event('load', `Load stopped after ${status.sent} requests`);
    return ok(status);
  }

  async buildImage(): Promise<Result<{ started: boolean }>> {
    const { events, docker, sampleImage } = this.parts;
    // Always under the sample's own tag: an image the person named is theirs, never overwritten by the sample.
    const { started, done } = docker.buildImage(sampleImage);
    done?.then(
      (built) => {
        events.event('docker', `Built ${built.tag} (${built.base} base ${built.baseImage})`);
        void this.recheck();
        for (const runtime of this.services.values()) runtime.parts.controller.retryNow();
      },
      (error: unknown) => events.event('error', `Image build failed: ${(error as Error).message}`),
    );
    return ok({ started });
  }

  async rollback(_input?: unknown, service?: string): Promise<Result<RolloutView>> {
    const runtime = this.service(service);
    const { rollout, say } = runtime.parts;
    const previous = rollout.previousSpec();
    if (!previous || !rollout.view().canRollBack) return fail('There is no earlier version to roll back to');
    say('rollout', `Rolling back to ${describeGeneration(previous.image, generationOf(previous))} (image ${previous.image}, health path ${previous.healthPath})`);
    const applied = await this.updateSettings(previous, runtime.name);
    return 'error' in applied ? applied : ok(rollout.view());
  }

  async retryRollout(_input?: unknown, service?: string): Promise<Result<RolloutView>> {
    return this.service(service).retryRollout();
  }

  async recheck(): Promise<Result<SetupCheck[]>> {
    await this.dockerWatch.refresh();
    if (!this.parts.haproxy.running) await this.startHaproxy();
    this.checks = await this.runChecks();
    this.parts.events.publishSnapshot();
    return ok(this.checks);
  }

  async shutdown({ keepRunning }: { keepRunning: boolean }): Promise<void> {
    const { events, load, haproxy } = this.parts;
    this.stopping = true;
    this.dockerWatch.stop();
    load.stop();
    const runtimes = [...this.services.values()];
    // A sample in flight is taken but acts on nothing (onSample checks `stopping`).
    await Promise.all(runtimes.map((runtime) => runtime.quiet()));
    await this.updates;
    if (keepRunning) {
      await Promise.all(runtimes.map((runtime) => runtime.close()));
      haproxy.detach();
      events.event('info', 'ScaleDeck stopped; HAProxy and the replicas keep serving');
    } else {
      // Drain every replica of every service through HAProxy before stopping it; the desired counts stay for next time.
      await Promise.all(runtimes.map((runtime) => runtime.drainAll()));
      await Promise.all(runtimes.map((runtime) => runtime.close()));
      await haproxy.stop();
      // With HAProxy gone a relay would only refuse its callers; the next start makes it again.
      await this.compose?.stopRelays().catch((error: unknown) => events.event('error', `A relay could not be removed: ${(error as Error).message}`));
    }
    await this.parts.requestLog.close();
    events.close();
    await this.parts.releaseDataFolder();
  }
}
