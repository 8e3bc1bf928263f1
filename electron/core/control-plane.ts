// The control plane both shells drive: settings, HAProxy, replicas, metrics and policy wired into one object
// that implements the contract's commands and streams samples, events and snapshots.
import Dockerode from 'dockerode';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type {
  ControlEvent, LoadInput, LoadStatus, ModeInput, RemoveReplicaInput, ReplicaView, Result, Sample, ScaleInput,
  SetupCheck, Snapshot, StreamMessage,
} from '../contract.js';
import type { CommandTarget } from '../dispatch.js';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { haproxyVersion, checkHaproxy } from '../../haproxy/version.js';
import { Controller } from './controller.js';
import { HaproxyBackend } from './haproxy-backend.js';
import { changesHaproxyConfig, haproxyConfigFor, haproxyRefusal } from './haproxy-settings.js';
import { SerialQueue } from './serial-queue.js';
import { LoadGenerator, loadTarget } from './load-generator.js';
import { MetricsSampler } from './metrics/sampler.js';
import { RingBuffer } from './metrics/ring-buffer.js';
import { decide, initialPolicyState, metricValue, type PolicyState } from './policy.js';
import { describePortInUse, isPortFree } from './port-owner.js';
import { createReplicaDriver } from './replicas/create-driver.js';
import { dockerOptionsFor } from './replicas/docker-connection.js';
import type { ReplicaDriver, ReplicaSpec, ReplicaStats } from './replicas/replica-driver.js';
import { SettingsError, applySettingsPatch, type Settings } from './settings.js';
import { SettingsStore } from './settings-store.js';
import { runSetupChecks } from './setup-checks.js';
import { imageExists } from './image/image-builder.js';
import { ImageBuildJob } from './image/image-build-job.js';
import { dockerStatus } from './replicas/docker-driver.js';
import { HostCpu } from './metrics/host-cpu.js';

export interface ControlPlaneOptions {
  dataDir: string;
  /** Where the sample api's image context and server script are (repo in development, resources when packaged). */
  paths: { apiDockerfile: string; apiServerJs: string };
  /** Tells this app's replicas apart from another ScaleDeck's on the same engine (label scaledeck.app). */
  app?: string;
  log?: (line: string) => void;
  haproxyBin?: string;
}

export interface ControlPlane extends CommandTarget {
  subscribe(listener: (message: StreamMessage) => void): () => void;
  frontendUrl(): string;
  statsUrl(): string;
  readonly settings: Settings;
  snapshot(): Snapshot;
  shutdown(options: { keepRunning: boolean }): Promise<void>;
}

const ok = <T>(result: T): Result<T> => ({ result });
const fail = (error: string, field?: string): Result<never> => (field ? { error, field } : { error });

const SNAPSHOT_MIN_INTERVAL_MS = 200;

/** A URL a browser or load tool on this machine can use for a bind address (0.0.0.0 means "all", so loopback). */
function reachableUrl(host: string, port: number): string {
  const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${target.includes(':') ? `[${target}]` : target}:${port}/`;
}

export async function createControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const plane = new ScaleDeckControlPlane(options);
  await plane.start();
  return plane;
}

class ScaleDeckControlPlane implements ControlPlane {
  private readonly store: SettingsStore;
  private readonly events = new RingBuffer<ControlEvent>(500);
  private readonly listeners = new Set<(message: StreamMessage) => void>();
  private readonly docker: Dockerode;
  private driver: ReplicaDriver;
  private readonly supervisor: HaproxySupervisor;
  private readonly backend: HaproxyBackend;
  private readonly controller: Controller;
  private readonly sampler: MetricsSampler;
  private readonly load: LoadGenerator;
  private policyState: PolicyState = initialPolicyState();
  private checks: SetupCheck[] = [];
  private dockerStatus: { reachable: boolean; version: string | null } = { reachable: false, version: null };
  private readonly imageBuild = new ImageBuildJob(() => this.publishSnapshot());
  private snapshotTimer: NodeJS.Timeout | null = null;
  private lastSnapshotAt = 0;
  private watchTimer: NodeJS.Timeout | null = null;
  private controllerStarted = false;
  private readonly settingsUpdates = new SerialQueue();

  constructor(private readonly options: ControlPlaneOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.store = new SettingsStore(options.dataDir);
    const settings = this.store.settings;
    this.docker = new Dockerode(dockerOptionsFor(settings.dockerHost));
    this.driver = this.makeDriver(settings.driver);
    this.supervisor = new HaproxySupervisor({
      dataDir: options.dataDir,
      bin: options.haproxyBin,
      renderConfig: (servers) => haproxyConfigFor(options.dataDir, this.settings, servers),
    });
    this.backend = new HaproxyBackend(() => this.supervisor.client);
    const desired = this.clampToRange(this.store.desired ?? settings.minReplicas);
    this.controller = new Controller({
      driver: this.driverProxy(),
      lb: this.backend,
      spec: () => this.spec(),
      drainTimeoutS: () => this.settings.drainTimeoutS,
      desired,
      onEvent: (kind, message) => this.event(kind, message),
      onChange: () => this.publishSnapshot(),
    });
    const hostCpu = new HostCpu();
    this.sampler = new MetricsSampler({
      hostCpu: async () => hostCpu.percent(),
      replicaStats: (id) => this.driver.stats(id, this.spec()),
      traffic: () => this.backend.traffic(),
      replicas: () => this.controller.replicas(),
      replicaCpu: (stats) => this.metricFor('replica-cpu', stats),
      desired: () => this.controller.desired,
    });
    this.load = new LoadGenerator(() => this.publishSnapshot());
  }

  get settings(): Settings {
    return this.store.settings;
  }

  frontendUrl(): string {
    return reachableUrl(this.settings.frontendHost, this.settings.frontendPort);
  }

  statsUrl(): string {
    return reachableUrl('127.0.0.1', this.settings.statsPort);
  }

  async start(): Promise<void> {
    this.event('info', `ScaleDeck starting (data folder ${this.options.dataDir})`);
    await this.refreshDocker();
    if (this.settings.driver === 'docker' && !this.dockerStatus.reachable) {
      this.driver = this.makeDriver('process');
      this.event('docker', 'No Docker engine answers: replicas run as local processes until it does (restart ScaleDeck then)');
    }
    this.supervisor.on('down', (reason: string) => this.event('haproxy', `HAProxy stopped: ${reason}`));
    this.supervisor.on('reloaded', () => this.event('haproxy', 'HAProxy reloaded its configuration in place; its sockets and servers carried over'));
    this.supervisor.on('restarted', () => {
      this.event('haproxy', 'HAProxy restarted; registering every ready replica again');
      this.controller.kick();
      this.publishSnapshot();
    });
    await this.startHaproxy();
    this.checks = await this.runChecks();
    this.sampler.start(this.settings.sampleIntervalMs, ({ sample }) => this.onSample(sample));
    // Watch the Docker connection: a restarted engine is noticed and shown without restarting the app.
    this.watchTimer = setInterval(() => void this.refreshDocker(), 5000);
  }

  private async startHaproxy(): Promise<void> {
    try {
      await this.supervisor.start();
      if (this.supervisor.adopted && !(await this.supervisor.runsCurrentConfig())) {
        // Adopted, but its config predates a settings change made while ScaleDeck was not running.
        this.event('haproxy', 'The running HAProxy was started with other settings; reloading it with the current ones');
        await this.supervisor.reload();
      }
      const how = this.supervisor.adopted ? 'adopted, still' : 'started,';
      this.event('haproxy', `HAProxy ${this.supervisor.version ?? ''} ${how} serving ${this.frontendUrl()} (stats ${this.statsUrl()})`);
      if (!this.controllerStarted) {
        this.controllerStarted = true;
        this.controller.start();
      }
    } catch (error) {
      this.event('error', `HAProxy could not start: ${(error as Error).message}`);
    }
    this.publishSnapshot();
  }

  private makeDriver(kind: Settings['driver']): ReplicaDriver {
    return createReplicaDriver(kind, {
      app: this.options.app ?? 'scaledeck',
      docker: this.docker,
      dataDir: path.join(this.options.dataDir, 'replicas'),
      serverScript: this.options.paths.apiServerJs,
      swarmService: this.store.settings.swarmService,
    });
  }

  /** The controller keeps one driver object; this forwards to whichever driver is current. */
  private driverProxy(): ReplicaDriver {
    const current = () => this.driver;
    return {
      get kind() { return current().kind; },
      status: () => current().status(),
      list: () => current().list(),
      create: (spec) => current().create(spec),
      remove: (id, graceS) => current().remove(id, graceS),
      stats: (id, spec) => current().stats(id, spec),
      removalOrder: (replicas) => current().removalOrder?.(replicas),
      close: () => current().close(),
    };
  }

  private spec(): ReplicaSpec {
    const { image, containerPort, healthPath, cpuLimit, memoryLimitMb } = this.settings;
    return { image, containerPort, healthPath, cpuLimit, memoryLimitMb };
  }

  private clampToRange(n: number): number {
    return Math.min(this.settings.maxReplicas, Math.max(this.settings.minReplicas, n));
  }

  private metricFor(metric: Settings['metric'], stats: Map<string, ReplicaStats | null>, sample?: Sample): number | null {
    return metricValue(this.observation(stats, sample), { ...this.settings, metric }, Date.now()).value;
  }

  private observation(stats: Map<string, ReplicaStats | null>, sample?: Sample) {
    return {
      hostCpu: sample?.hostCpu ?? null,
      rps: sample?.rps ?? null,
      replicas: this.controller.replicas().map((r) => ({ state: r.state, startedAt: r.startedAt, cpuPercent: stats.get(r.id)?.cpuPercent ?? null })),
    };
  }

  private onSample(sample: Sample): void {
    this.broadcast({ type: 'sample', sample });
    if (this.settings.mode !== 'auto' || !this.controllerStarted) return;
    const current = this.controller.desired;
    const decision = decide({
      observation: this.observation(this.sampler.stats, sample),
      current,
      settings: this.settings,
      now: sample.at,
      state: this.policyState,
    });
    this.policyState = decision.state;
    if (decision.desired !== current) {
      this.setDesired(decision.desired);
      this.event('scale', decision.reason ?? `${current} -> ${decision.desired}`);
    }
  }

  private setDesired(n: number): void {
    this.store.setDesired(n);
    this.controller.setDesired(n);
    this.publishSnapshot();
  }

  private event(kind: ControlEvent['kind'], message: string): void {
    const event: ControlEvent = { at: Date.now(), kind, message };
    this.events.push(event);
    this.options.log?.(`[${kind}] ${message}`);
    this.broadcast({ type: 'event', event });
  }

  private broadcast(message: StreamMessage): void {
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch {
        // One broken subscriber (a closed socket) must not stop the others.
      }
    }
  }

  /** Coalesces bursts of state changes into at most one snapshot per SNAPSHOT_MIN_INTERVAL_MS. */
  private publishSnapshot(): void {
    if (this.snapshotTimer) return;
    const wait = Math.max(0, this.lastSnapshotAt + SNAPSHOT_MIN_INTERVAL_MS - Date.now());
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = null;
      this.lastSnapshotAt = Date.now();
      this.broadcast({ type: 'snapshot', snapshot: this.snapshot() });
    }, wait);
  }

  private async refreshDocker(): Promise<void> {
    const status = await dockerStatus(this.docker);
    const changed = status.reachable !== this.dockerStatus.reachable;
    this.dockerStatus = { reachable: status.reachable, version: status.version };
    if (changed) this.publishSnapshot();
  }

  private async runChecks(): Promise<SetupCheck[]> {
    const usesDocker = this.settings.driver !== 'process';
    return runSetupChecks(
      {
        // The swarm driver's status also says whether the engine is a swarm manager.
        docker: async () => (!usesDocker ? null : this.driver.kind === 'swarm' ? this.driver.status() : dockerStatus(this.docker)),
        haproxy: async () => {
          await checkHaproxy(this.options.haproxyBin);
          return haproxyVersion(this.options.haproxyBin);
        },
        image: async () => (usesDocker ? imageExists(this.docker, this.settings.image) : null),
        portBlocker: async () => {
          if (this.supervisor.running) return null;
          return (await isPortFree(this.settings.frontendPort, this.settings.frontendHost)) ? null : describePortInUse(this.settings.frontendPort);
        },
      },
      { image: this.settings.image, frontendPort: this.settings.frontendPort },
    );
  }

  snapshot(): Snapshot {
    const stats = this.sampler.stats;
    const replicas: ReplicaView[] = this.controller.replicas().map((r) => {
      const s = stats.get(r.id);
      return {
        id: r.id,
        name: r.name,
        hostPort: r.hostPort,
        state: r.state,
        cpuPercent: s?.cpuPercent ?? null,
        memBytes: s?.memBytes ?? null,
        startedAt: r.startedAt,
        ...(r.note ? { note: r.note } : s === null ? { note: 'stats unavailable' } : {}),
      };
    });
    return {
      settings: this.settings,
      mode: this.settings.mode,
      desired: this.controller.desired,
      replicas,
      haproxy: { running: this.supervisor.running, version: this.supervisor.version, frontendUrl: this.frontendUrl(), statsUrl: this.statsUrl() },
      docker: this.dockerStatus,
      events: this.events.toArray(100),
      sample: this.sampler.history.last() ?? null,
      checks: this.checks,
      load: this.load.status,
      imageBuild: this.imageBuild.state,
    };
  }

  subscribe(listener: (message: StreamMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- contract commands ----

  async getSnapshot(): Promise<Result<Snapshot>> {
    return ok(this.snapshot());
  }

  async getHistory(): Promise<Result<Sample[]>> {
    return ok(this.sampler.history.toArray());
  }

  /** One at a time: a change is checked against the settings the previous one left. */
  updateSettings(patch: unknown): Promise<Result<Settings>> {
    return this.settingsUpdates.run(() => this.applySettings(patch));
  }

  private async applySettings(patch: unknown): Promise<Result<Settings>> {
    const before = this.settings;
    let next: Settings;
    try {
      next = applySettingsPatch(before, patch);
    } catch (error) {
      if (error instanceof SettingsError) return fail(error.message, error.field);
      throw error;
    }
    // Only a new port can be checked: the current one is held by our own HAProxy on every host address.
    if (next.frontendPort !== before.frontendPort) {
      if (!(await isPortFree(next.frontendPort, next.frontendHost))) {
        return fail(`frontendPort: ${await describePortInUse(next.frontendPort)}; choose another port`, 'frontendPort');
      }
    }
    if (next.statsPort !== before.statsPort && !(await isPortFree(next.statsPort, '127.0.0.1'))) {
      return fail(`statsPort: ${await describePortInUse(next.statsPort)}; choose another port`, 'statsPort');
    }
    const refusal = await haproxyRefusal(this.supervisor, this.options.dataDir, before, next);
    if (refusal) return fail(refusal.message, refusal.field);
    this.store.update(patch);
    const changed = (Object.keys(next) as (keyof Settings)[]).filter((key) => next[key] !== before[key]);
    if (changed.length === 0) return ok(next);
    this.event('settings', `Settings changed: ${changed.map((key) => `${key} ${String(before[key])} -> ${String(next[key])}`).join(', ')}`);
    if (changed.includes('mode')) this.onModeChanged(next.mode);
    if (changed.includes('sampleIntervalMs')) this.sampler.start(next.sampleIntervalMs, ({ sample }) => this.onSample(sample));
    if (changed.includes('driver')) this.event('settings', `The ${next.driver} driver takes over after a restart of ScaleDeck; the running replicas stay with ${this.driver.kind}`);
    if (changed.includes('minReplicas') || changed.includes('maxReplicas')) {
      const clamped = this.clampToRange(this.controller.desired);
      if (clamped !== this.controller.desired) {
        this.event('scale', `${this.controller.desired} -> ${clamped}: the replica range is now ${next.minReplicas}..${next.maxReplicas}`);
        this.setDesired(clamped);
      }
    }
    if (changesHaproxyConfig(before, next) && this.controllerStarted) {
      await this.supervisor.reload();
      this.controller.kick();
    }
    if (changed.includes('image') || changed.includes('frontendPort') || changed.includes('driver')) this.checks = await this.runChecks();
    this.publishSnapshot();
    return ok(next);
  }

  private onModeChanged(mode: Settings['mode']): void {
    this.policyState = initialPolicyState();
    this.event('mode', mode === 'auto' ? 'Autoscaling resumed' : 'Manual mode: the replica count stays where it is set');
  }

  async scale(input: ScaleInput): Promise<Result<{ desired: number; mode: Settings['mode'] }>> {
    const { minReplicas, maxReplicas } = this.settings;
    if (input.replicas < minReplicas || input.replicas > maxReplicas) {
      return fail(`replicas: must be between minReplicas (${minReplicas}) and maxReplicas (${maxReplicas})`, 'replicas');
    }
    if (this.settings.mode !== 'manual') {
      this.store.update({ mode: 'manual' });
      this.onModeChanged('manual');
    }
    const before = this.controller.desired;
    if (input.replicas !== before) this.event('scale', `${before} -> ${input.replicas}: set by hand`);
    this.setDesired(input.replicas);
    return ok({ desired: input.replicas, mode: this.settings.mode });
  }

  async setMode(input: ModeInput): Promise<Result<{ mode: Settings['mode'] }>> {
    if (input.mode !== this.settings.mode) {
      this.store.update({ mode: input.mode });
      this.onModeChanged(input.mode);
      this.publishSnapshot();
    }
    return ok({ mode: this.settings.mode });
  }

  async removeReplica(input: RemoveReplicaInput): Promise<Result<{ removed: string }>> {
    const replica = this.controller.replicas().find((r) => r.id === input.id || r.name === input.id);
    if (!replica) return fail(`id: no replica ${input.id} is running`, 'id');
    const desired = this.controller.desired;
    // Removing one below the minimum replaces it instead: the range is a promise.
    const next = desired - 1 >= this.settings.minReplicas ? desired - 1 : desired;
    if (!this.controller.removeReplica(replica.id)) return fail(`id: ${replica.name} is ${replica.state} and cannot be removed now`, 'id');
    if (this.settings.mode !== 'manual') {
      this.store.update({ mode: 'manual' });
      this.onModeChanged('manual');
    }
    this.event('scale', next === desired
      ? `Replacing ${replica.name}: ${desired} is already the minimum`
      : `${desired} -> ${next}: removed ${replica.name} by hand`);
    this.setDesired(next);
    return ok({ removed: replica.id });
  }

  async startLoad(input: LoadInput): Promise<Result<LoadStatus>> {
    if (!this.supervisor.running) return fail('HAProxy is not running, so there is no frontend to send load to');
    const target = loadTarget(this.frontendUrl(), input.path);
    if ('error' in target) return fail(target.error, 'path');
    const status = this.load.start(this.frontendUrl(), input);
    this.event('load', `Generating ${input.rate} requests/s for ${input.durationS} s against ${target.url}`);
    return ok(status);
  }

  async stopLoad(): Promise<Result<LoadStatus>> {
    const wasRunning = this.load.status.running;
    const status = this.load.stop();
    if (wasRunning) this.event('load', `Load stopped after ${status.sent} requests`);
    return ok(status);
  }

  async buildImage(): Promise<Result<{ started: boolean }>> {
    const { docker } = this;
    const { apiDockerfile: dockerfile, apiServerJs: serverJs } = this.options.paths;
    const { started, done } = this.imageBuild.start({ docker, dockerfile, serverJs, tag: this.settings.image });
    done?.then(
      (built) => {
        this.event('docker', `Built ${built.tag} (${built.base} base ${built.baseImage})`);
        void this.recheck();
        this.controller.kick();
      },
      (error: unknown) => this.event('error', `Image build failed: ${(error as Error).message}`),
    );
    return ok({ started });
  }

  async recheck(): Promise<Result<SetupCheck[]>> {
    await this.refreshDocker();
    if (!this.supervisor.running) await this.startHaproxy();
    this.checks = await this.runChecks();
    this.publishSnapshot();
    return ok(this.checks);
  }

  async shutdown({ keepRunning }: { keepRunning: boolean }): Promise<void> {
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.sampler.stop();
    this.load.stop();
    if (keepRunning) {
      await this.controller.stop();
      this.supervisor.detach();
      this.event('info', 'ScaleDeck stopped; HAProxy and the replicas keep serving');
    } else {
      // Drain every replica through HAProxy before stopping it; the persisted desired count stays for next time.
      this.controller.setDesired(0);
      const deadline = Date.now() + (this.settings.drainTimeoutS + 15) * 1000;
      while (this.controller.replicas().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await this.controller.stop();
      await this.supervisor.stop();
    }
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    this.listeners.clear();
    await this.driver.close();
  }
}
