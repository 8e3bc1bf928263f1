// In-memory stand-ins for the control plane's effectful parts (driver, load balancer, HAProxy, Docker), for unit
// tests on a fake clock. Integration tests use the real ones.
import { EventEmitter } from 'node:events';
import type { DockerEngine, HaproxyProcess } from '../../electron/core/control-plane.js';
import type { LoadBalancer, ServerView } from '../../electron/core/service/load-balancer.js';
import type { TrafficStats } from '../../electron/core/metrics/sampler.js';
import { generationOf } from '../../electron/core/replicas/generation.js';
import type { ObservedReplica, ReplicaDriver, ReplicaSpec } from '../../electron/core/replicas/replica-driver.js';

/** Replicas that exist only in memory; each answers its health path unless a test says otherwise. */
export class FakeDriver implements ReplicaDriver {
  readonly replicas = new Map<string, ObservedReplica>();
  /** Ports whose health path does not answer. */
  readonly unhealthy = new Set<number>();
  private next = 1;
  constructor(readonly log: string[], readonly kind: 'process' | 'docker' = 'process') {}
  async status() {
    return { reachable: true, version: 'fake' };
  }
  async list() {
    return [...this.replicas.values()].map((r) => ({ ...r }));
  }
  /** When set, create() fails with this message (e.g. the image is missing). */
  failCreate: string | null = null;
  async create(spec?: ReplicaSpec): Promise<ObservedReplica> {
    if (this.failCreate) throw new Error(this.failCreate);
    const n = this.next++;
    const made = spec ? { generation: generationOf(spec), image: spec.image, healthPath: spec.healthPath } : {};
    const replica = { id: `id${n}`, name: `r${n}`, host: '127.0.0.1', hostPort: 9000 + n, startedAt: n, running: true, ...made };
    this.replicas.set(replica.id, replica);
    this.log.push(`create ${replica.name}`);
    return { ...replica };
  }
  async remove(id: string) {
    const replica = this.replicas.get(id);
    if (!replica) return;
    this.log.push(`stop ${replica.name}`);
    this.replicas.delete(id);
  }
  /** CPU % per replica id as a test sets it. */
  readonly cpu = new Map<string, number>();
  async stats(id: string) {
    return { cpuPercent: this.cpu.get(id) ?? 0, memBytes: 0 };
  }
  async close() {}
  probe = async (url: string) => (this.unhealthy.has(Number(new URL(url).port)) ? 'connection refused' : null);
}

export class FakeLoadBalancer implements LoadBalancer {
  readonly table = new Map<string, ServerView>();
  /** In-flight requests per server, as a test sets them. */
  readonly inFlight = new Map<string, number>();
  constructor(readonly log: string[]) {}
  async servers() {
    return [...this.table.values()];
  }
  /** The health path each server is checked on, as the controller registered it. */
  readonly healthPaths = new Map<string, string | undefined>();
  async add(name: string, host: string, port: number, healthPath?: string, { inRotation = true }: { inRotation?: boolean } = {}) {
    this.log.push(inRotation ? `add ${name}` : `add ${name} (standby)`);
    this.healthPaths.set(name, healthPath);
    this.table.set(name, { name, address: host, port, up: true, draining: !inRotation, maint: false });
  }
  async drain(name: string) {
    this.log.push(`drain ${name}`);
    this.table.get(name)!.draining = true;
  }
  /** While set, a server's return to rotation waits for it: a runtime command still under way. */
  readyGate: Promise<void> | undefined;
  async ready(name: string) {
    if (this.readyGate) await this.readyGate;
    this.log.push(`ready ${name}`);
    const server = this.table.get(name)!;
    server.draining = false;
    server.maint = false;
  }
  async sessions(name: string) {
    return this.inFlight.get(name) ?? 0;
  }
  async remove(name: string) {
    this.log.push(`del ${name} (in flight ${this.inFlight.get(name) ?? 0})`);
    this.table.delete(name);
  }
  /** Requests held for want of a server, as a test sets them. */
  held = 0;
  async heldRequests() {
    return this.held;
  }
  async traffic(): Promise<TrafficStats> {
    return { requestsTotal: 0, sessions: 0, queue: 0, held: this.held, http5xxTotal: 0, responseTimeMs: 0 };
  }
}

/** HAProxy as the control plane sees it: started, reloaded (counted), checked and stopped in memory. */
export class FakeHaproxy extends EventEmitter implements HaproxyProcess {
  running = false;
  adopted = false;
  readonly version = '2.6.12';
  reloads = 0;
  stale = false;
  /** What `haproxy -c` says about the next config checked, when it refuses it. */
  refusal: string | null = null;
  constructor(private readonly lb: FakeLoadBalancer) {
    super();
  }
  async start() {
    this.running = true;
  }
  async reload() {
    this.reloads += 1;
    this.lb.log.push('haproxy reload');
  }
  async checkConfig(_text: string) {
    if (this.refusal !== null) throw new Error(this.refusal);
  }
  async stop() {
    this.running = false;
  }
  detach() {}
  async configIsStale() {
    return this.stale;
  }
}

/** A Docker engine whose image build finishes when the test calls `finishBuild`. */
export function fakeDocker() {
  const builds: string[] = [];
  let finish: (() => void) | null = null;
  const engine: DockerEngine & { builds: string[]; finishBuild(): void; reachable: boolean } = {
    reachable: true,
    status: async () => (engine.reachable ? { reachable: true, version: 'fake' } : { reachable: false, version: null, error: 'connect ENOENT /var/run/docker.sock' }),
    buildImage: (tag) => {
      builds.push(tag);
      const done = new Promise<{ tag: string; base: string; baseImage: string }>((resolve) => {
        finish = () => resolve({ tag, base: 'offline', baseImage: 'scaledeck/node-base:test' });
      });
      return { started: true, done };
    },
    imageBuild: { running: false, log: [], error: null },
    builds,
    finishBuild: () => finish?.(),
  };
  return engine;
}
