// The steps that take one replica into HAProxy's rotation and out of it: bring up, promote, register, drain, reap.
import type { ControlEvent } from '../../contract/contract.js';
import type { ReplicaDriver, ReplicaSpec } from '../replicas/replica-driver.js';
import type { LoadBalancer } from './load-balancer.js';
import { pollUntil, sleep, type Clock } from '../clock.js';
import { waitForHealth } from './replica-health.js';
import type { TrackedReplica } from './tracked-replicas.js';

export interface ReplicaLifecycleOptions {
  driver: ReplicaDriver;
  lb: LoadBalancer;
  spec: () => ReplicaSpec;
  drainTimeoutS: () => number;
  /** How long a new replica may take to answer its health path. */
  healthTimeoutMs?: number;
  /** Asks a replica's health URL once: null when it answered 2xx, else what went wrong. */
  probeHealth?: (url: string) => Promise<string | null>;
  clock: Clock;
  onEvent: (kind: ControlEvent['kind'], message: string) => void;
  onChange: () => void;
  /** True once the reconcile loop stops: waits give up instead of holding the stop. */
  stopped: () => boolean;
  /** Called once a replica is removed from the engine, so it is no longer tracked. */
  forget: (id: string) => void;
}

const STOP_GRACE_S = 10;

export class ReplicaLifecycle {
  constructor(private readonly options: ReplicaLifecycleOptions) {}

  private now(): number {
    return this.options.clock.now();
  }

  /** Health first, then HAProxy: a replica gets traffic only once it answers. */
  async bringUp(replica: TrackedReplica, requestedAt: number): Promise<void> {
    // Its own health path: an adopted replica of an older generation may not answer the one set now.
    const healthPath = this.healthPathOf(replica);
    await waitForHealth(`http://${replica.host}:${replica.hostPort}${healthPath}`, this.options.healthTimeoutMs ?? 30_000, {
      clock: this.options.clock, probe: this.options.probeHealth, cancelled: () => this.options.stopped() || !replica.running,
    }).catch((error: unknown) => {
      // One that exits at once (a broken version) is told apart at once, not after the whole health timeout.
      throw replica.running || this.options.stopped() ? error : new Error(`it exited before it answered ${healthPath}`);
    });
    if (!replica.registered) {
      await this.waitForLoadBalancer();
      await this.options.lb.add(replica.name, replica.host, replica.hostPort, healthPath, { inRotation: !replica.spare });
      replica.registered = true;
    } else {
      // Adopted mid-drain (the app was killed during a scale-in): back in rotation; the count decides again next.
      const server = (await this.options.lb.servers()).find((s) => s.name === replica.name);
      if (server && (server.draining || server.maint)) {
        await this.options.lb.ready(replica.name);
        this.options.onEvent('haproxy', `${replica.name} was left ${server.maint ? 'in maintenance' : 'draining'} by an earlier run; back in rotation until the count says otherwise`);
      }
    }
    await this.waitUntilUp(replica.name, 15_000);
    replica.state = replica.spare ? 'standby' : 'ready';
    replica.note = undefined;
    const tookS = ((this.now() - requestedAt) / 1000).toFixed(1);
    const what = replica.spare ? 'is a warm spare: healthy in HAProxy, out of rotation' : 'is serving through HAProxy';
    this.options.onEvent('replica', `${replica.name} ${what} (${tookS} s after it was requested)`);
  }

  /** A warm spare into rotation: one runtime command, no start or health wait. */
  async promote(replica: TrackedReplica, requestedAt: number): Promise<void> {
    await this.options.lb.ready(replica.name, { rampUp: true });
    replica.state = 'ready';
    replica.spare = false;
    this.options.onEvent('replica', `${replica.name} is serving through HAProxy: a warm spare taken into rotation in ${this.now() - requestedAt} ms`);
  }

  async register(replica: TrackedReplica): Promise<void> {
    await this.options.lb.add(replica.name, replica.host, replica.hostPort, this.healthPathOf(replica), { inRotation: replica.state !== 'standby' });
    replica.registered = true;
    this.options.onEvent('haproxy', `Registered ${replica.name} again (port ${replica.hostPort})`);
  }

  /** Drain in HAProxy, wait for in-flight requests, then delete the server and stop the replica. */
  async drainAndRemove(replica: TrackedReplica): Promise<void> {
    const { lb, driver } = this.options;
    const started = this.now();
    replica.state = 'draining';
    this.options.onChange();
    if (replica.registered) {
      await lb.drain(replica.name);
      const deadline = started + this.options.drainTimeoutS() * 1000;
      let sessions = await lb.sessions(replica.name);
      while (sessions !== null && sessions > 0 && this.now() < deadline) {
        await sleep(this.options.clock, 100);
        sessions = await lb.sessions(replica.name);
      }
      if (sessions !== null && sessions > 0) {
        this.options.onEvent('replica', `${replica.name} still had ${sessions} sessions after ${this.options.drainTimeoutS()} s; removing it anyway`);
      }
    }
    replica.state = 'stopping';
    this.options.onChange();
    if (replica.registered) await lb.remove(replica.name, 5000);
    replica.registered = false;
    await driver.remove(replica.id, STOP_GRACE_S);
    this.options.forget(replica.id);
    const tookS = ((this.now() - started) / 1000).toFixed(1);
    this.options.onEvent('replica', `Drained and stopped ${replica.name} in ${tookS} s`);
  }

  /** A replica that died or never became healthy: out of HAProxy at once, then removed. */
  async reap(replica: TrackedReplica): Promise<void> {
    const why = replica.running ? (replica.note ?? 'it failed') : 'it exited';
    this.options.onEvent('replica', `Removing ${replica.name}: ${why}`);
    replica.state = 'failed';
    if (replica.registered) await this.options.lb.remove(replica.name, 2000).catch(() => undefined);
    await this.options.driver.remove(replica.id, 0);
    this.options.forget(replica.id);
  }

  private healthPathOf(replica: TrackedReplica): string {
    return replica.healthPath ?? this.options.spec().healthPath;
  }

  private async waitForLoadBalancer(): Promise<void> {
    await pollUntil(this.options.clock, async () => ((await this.options.lb.servers().catch(() => null)) !== null ? { done: true } : { waiting: 'no answer' }), {
      timeoutMs: 10_000, intervalMs: 100, cancelled: () => this.options.stopped(),
      describe: () => 'HAProxy did not answer on its runtime socket within 10 s',
    });
  }

  private async waitUntilUp(name: string, timeoutMs: number): Promise<void> {
    await pollUntil(this.options.clock, async () => {
      const servers = await this.options.lb.servers().catch(() => null);
      return servers?.find((s) => s.name === name)?.up ? { done: true } : { waiting: 'not UP' };
    }, {
      timeoutMs, intervalMs: 50, cancelled: () => this.options.stopped(),
      describe: () => `HAProxy did not report ${name} UP within ${timeoutMs / 1000} s (its health check fails)`,
    });
  }
}
