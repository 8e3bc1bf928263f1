// The seed's autoscaler, rebuilt as a baseline to measure ScaleDeck against: host CPU polled every 10 s,
// replicas = max(1, floor(cpu / 10)), a new container added to HAProxy at once, a surplus one killed and then removed.
import path from 'node:path';
import { rmSync } from 'node:fs';
import si from 'systeminformation';
import { renderHaproxyConfig, type HaproxyConfigStyle } from '../../haproxy/config.js';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { defaultSettings } from '../../electron/contract/settings-schema.js';
import { DockerDriver } from '../../electron/core/replicas/docker-driver.js';
import { ProcessDriver } from '../../electron/core/replicas/process-driver.js';
import type { ObservedReplica, ReplicaDriver, ReplicaSpec } from '../../electron/core/replicas/replica-driver.js';
import { benchPaths } from './bench-paths.js';
import { benchTempDir, freePort, removeContainersOf, stopHaproxyOf } from './headless-shell.js';
import { onTeardown } from './teardown.js';

const BACKEND = 'seed';
export const SEED_POLL_INTERVAL_MS = 10_000;
/** The seed has no upper bound; ScaleDeck's default maxReplicas keeps a busy shared machine from starting dozens. */
const MAX_REPLICAS = defaultSettings.maxReplicas;

export interface SeedBaselineOptions {
  /** The scaledeck.app label of its containers; unique per benchmark run. */
  app: string;
  driver: 'docker' | 'process';
  /** 'seed': no retries, no redispatch, as the seed ran; 'scaledeck': ScaleDeck's HAProxy settings with the seed's actuation. */
  style: HaproxyConfigStyle;
}

export interface SeedDecision {
  at: number;
  hostCpu: number;
  desired: number;
}

/** The seed's rule: one replica per 10 % of host CPU, at least one. */
export function seedDesired(hostCpu: number): number {
  return Math.min(MAX_REPLICAS, Math.max(1, Math.floor(hostCpu / 10)));
}

export class SeedBaseline {
  readonly decisions: SeedDecision[] = [];
  private readonly running: ObservedReplica[] = [];
  private poller: NodeJS.Timeout | null = null;
  private actuating: Promise<void> | null = null;
  private readonly release: () => Promise<void>;

  private constructor(
    private readonly options: SeedBaselineOptions,
    private readonly driver: ReplicaDriver,
    private readonly supervisor: HaproxySupervisor,
    private readonly dataDir: string,
    readonly frontend: string,
  ) {
    this.release = onTeardown(`the seed baseline in ${dataDir}`, () => this.halt());
  }

  static async start(options: SeedBaselineOptions): Promise<SeedBaseline> {
    const dataDir = benchTempDir();
    const [frontendPort, statsPort] = [await freePort(), await freePort()];
    const supervisor = new HaproxySupervisor({
      dataDir,
      renderConfig: () => renderHaproxyConfig({
        dataDir, frontendHost: '127.0.0.1', frontendPort, statsPort, healthPath: defaultSettings.healthPath, backendName: BACKEND, style: options.style,
      }),
    });
    const driver: ReplicaDriver = options.driver === 'docker'
      ? new DockerDriver({ app: options.app })
      : new ProcessDriver({ app: options.app, dataDir: path.join(dataDir, 'replicas'), serverScript: benchPaths.apiServerJs });
    const baseline = new SeedBaseline(options, driver, supervisor, dataDir, `http://127.0.0.1:${frontendPort}/`);
    try {
      await supervisor.start();
    } catch (error) {
      await baseline.stop();
      throw error;
    }
    return baseline;
  }

  get spec(): ReplicaSpec {
    const { image, containerPort, healthPath, cpuLimit, memoryLimitMb } = defaultSettings;
    return { image, containerPort, healthPath, cpuLimit, memoryLimitMb };
  }

  replicas(): ObservedReplica[] {
    return [...this.running];
  }

  /** The seed's actuation, one replica at a time as its script did; resolves once HAProxy was told. */
  async setReplicas(count: number): Promise<void> {
    while (this.running.length < count) await this.addOne();
    while (this.running.length > count) await this.killNewest();
  }

  /** Starts a replica and adds it to HAProxy at once: no health wait, so it gets traffic before it listens. */
  private async addOne(): Promise<void> {
    const replica = await this.driver.create(this.spec);
    this.running.push(replica);
    const client = this.supervisor.client;
    await client.addServer(BACKEND, replica.name, replica.host, replica.hostPort);
    // A server added at run time starts in maintenance; with its health check left off it counts as UP at once.
    await client.setState(BACKEND, replica.name, 'ready');
  }

  /** Kills the newest replica, then takes it out of HAProxy: requests on it, and those sent meanwhile, fail. */
  private async killNewest(): Promise<void> {
    const victim = this.running.pop();
    if (!victim) return;
    await this.driver.remove(victim.id, 0);
    await this.supervisor.client.removeServer(BACKEND, victim.name, { timeoutMs: 5_000 });
  }

  /** Polls host CPU every 10 s and sets the replica count from it, as the seed's loop did. */
  async startAutoscaling(): Promise<void> {
    // systeminformation measures since its previous call: this first call starts the 10 s window.
    await si.currentLoad();
    this.poller = setInterval(() => void this.poll(), SEED_POLL_INTERVAL_MS);
  }

  stopAutoscaling(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
  }

  /** Resolves once a scale triggered by the poller has finished. */
  async settled(): Promise<void> {
    await this.actuating;
  }

  private async poll(): Promise<void> {
    if (this.actuating) return;
    const hostCpu = (await si.currentLoad()).currentLoad;
    const desired = seedDesired(hostCpu);
    this.decisions.push({ at: Date.now(), hostCpu, desired });
    if (desired === this.running.length || !this.poller) return;
    this.actuating = this.setReplicas(desired)
      .catch(() => undefined)
      .finally(() => {
        this.actuating = null;
      });
  }

  async stop(): Promise<void> {
    await this.release();
  }

  private async halt(): Promise<void> {
    this.stopAutoscaling();
    await this.actuating;
    for (const replica of this.running.splice(0)) await this.driver.remove(replica.id, 0).catch(() => undefined);
    await this.driver.close();
    await this.supervisor.stop().catch(() => undefined);
    if (this.options.driver === 'docker') await removeContainersOf(this.options.app);
    await stopHaproxyOf(this.dataDir);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
