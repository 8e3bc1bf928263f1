// The reconcile loop: observe replicas and HAProxy, compare with the desired count, act until they agree.
import type { ControlEvent } from '../../contract/contract.js';
import type { ReplicaDriver, ReplicaSpec } from '../replicas/replica-driver.js';
import { planReconcile, type ReconcileAction } from './reconcile.js';
import { isActive } from './replica-facts.js';
import type { LoadBalancer } from './load-balancer.js';
import { systemClock, type Cancel, type Clock } from '../clock.js';
import type { RolloutInput } from './rollout-plan.js';
import { TrackedReplicas, type TrackedReplica } from './tracked-replicas.js';
import { ReplicaLifecycle } from './replica-lifecycle.js';

export interface ControllerOptions {
  driver: ReplicaDriver;
  lb: LoadBalancer;
  spec: () => ReplicaSpec;
  drainTimeoutS: () => number;
  /** Warm spares to keep out of rotation beside the desired count (0 when none, and on shutdown). */
  standby?: () => number;
  desired: number;
  onEvent: (kind: ControlEvent['kind'], message: string) => void;
  /** Called whenever a replica changes state, so the shells can publish a snapshot. */
  onChange: () => void;
  tickMs?: number;
  /** How long a new replica may take to answer its health path. */
  healthTimeoutMs?: number;
  clock?: Clock;
  /** Asks a replica's health URL once: null when it answered 2xx, else what went wrong. */
  probeHealth?: (url: string) => Promise<string | null>;
  /** True while a replica could not be created anyway (its image is being built): creates wait instead of failing. */
  createsWait?: () => boolean;
  /** Sees what runs each tick and answers which generation is current; replicas of others are replaced. */
  rollout?: {
    observe(replicas: TrackedReplica[]): RolloutInput;
    /** False while a rollout runs or is about to: a scale-out then waits for the pass, which plans the rollout's step. */
    steady(replicas: TrackedReplica[]): boolean;
    /** For an engine that rolls out itself (Swarm): hands it the current spec before each pass. */
    sync?(): Promise<void>;
  };
}

export class Controller {
  private readonly tracked = new TrackedReplicas();
  private desiredCount: number;
  private creating = 0;
  private creatingSpares = 0;
  private createFailures = 0;
  private createBackoffUntil = 0;
  private cancelTimer: Cancel | null = null;
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private stopped = false;
  /** Set once a pass has read the engine's listing: before it, what is tracked says nothing of what runs. */
  private listed = false;
  private readonly jobs = new Set<Promise<void>>();
  private readonly clock: Clock;
  private readonly lifecycle: ReplicaLifecycle;

  constructor(private readonly options: ControllerOptions) {
    this.desiredCount = options.desired;
    this.clock = options.clock ?? systemClock;
    this.lifecycle = new ReplicaLifecycle({
      driver: options.driver, lb: options.lb, spec: () => options.spec(), drainTimeoutS: () => options.drainTimeoutS(),
      healthTimeoutMs: options.healthTimeoutMs, probeHealth: options.probeHealth, clock: this.clock,
      onEvent: (kind, message) => options.onEvent(kind, message), onChange: () => options.onChange(),
      stopped: () => this.stopped, forget: (id) => this.tracked.forget(id),
    });
  }

  private now(): number {
    return this.clock.now();
  }

  get desired(): number {
    return this.desiredCount;
  }

  /** Sets the count to converge to; a scale-out starts at once, and the next tick acts on the rest. */
  setDesired(count: number): void {
    this.desiredCount = count;
    this.scaleOutNow();
    this.kick();
  }

  /**
   * A scale-out starts without waiting for the tick to ask the engine and HAProxy (tens of ms): warm spares go into
   * rotation (one runtime command each on a replica tracked as healthy), and what they do not cover is created. A
   * create counts in `creating` from the call on, so a pass under way or next plans with it and starts no second one.
   * The tick alone decides before the first listing and while a rollout runs; a create backoff holds here as there.
   */
  private scaleOutNow(): void {
    if (this.stopped || !this.listed || this.options.rollout?.steady(this.replicas()) === false) return;
    const plan = planReconcile({
      replicas: this.tracked.factsAsTracked(), servers: null, desired: this.desiredCount, creating: this.creating,
      standby: this.options.standby?.() ?? 0, creatingSpares: this.creatingSpares,
    });
    for (const action of plan) if (action.type === 'promote' || action.type === 'create') this.act(action);
  }

  replicas(): TrackedReplica[] {
    return this.tracked.sorted();
  }

  readyCount(): number {
    return this.replicas().filter((r) => r.state === 'ready').length;
  }

  activeCount(): number {
    return this.replicas().filter((r) => isActive(r.state)).length;
  }

  start(): void {
    this.stopped = false;
    this.cancelTimer = this.clock.every(this.options.tickMs ?? 500, () => this.kick());
    this.kick();
  }

  /** Stops the loop and waits for what is under way (a drain finishes, it is not cut short). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.ticking;
    await Promise.allSettled([...this.jobs]);
  }

  /** Drains and removes one replica; the caller adjusts the desired count if it should not be replaced. */
  removeReplica(id: string): boolean {
    const replica = this.tracked.get(id);
    if (!replica || !isActive(replica.state) || replica.busy) return false;
    this.runJob(replica, () => this.lifecycle.drainAndRemove(replica));
    return true;
  }

  /** Forgets the create backoff (what failed was fixed, e.g. the image now exists) and acts at once. */
  retryNow(): void {
    this.createFailures = 0;
    this.createBackoffUntil = 0;
    this.kick();
  }

  /** Runs one reconcile pass now, or right after the one in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = this.tick()
      .catch((error: unknown) => this.options.onEvent('error', `Reconcile failed: ${(error as Error).message}`))
      .finally(() => {
        this.ticking = null;
        if (this.tickAgain && !this.stopped) {
          this.tickAgain = false;
          this.kick();
        }
      });
  }

  /** Resolves once a reconcile pass has run after this call (tests and commands that want fresh state). */
  async settle(): Promise<void> {
    await this.ticking;
    this.kick();
    await this.ticking;
  }

  private async tick(): Promise<void> {
    const { driver, lb } = this.options;
    await this.options.rollout?.sync?.();
    const observedAfter = this.tracked.mark();
    const [observed, servers] = await Promise.all([driver.list(), lb.servers().catch(() => null)]);
    const { changed, facts } = this.tracked.observe({
      observed, servers, observedAfter, creating: this.creating + this.creatingSpares,
      standby: () => this.options.standby?.() ?? 0,
      onAdopted: (o, state) => this.options.onEvent('replica', `Adopted ${o.name} (port ${o.hostPort}, ${state})`),
    });
    this.listed = true;
    const removalOrder = driver.removalOrder?.(this.tracked.values());
    const rollout = this.options.rollout?.observe(this.replicas());
    const actions = planReconcile({
      replicas: facts, servers, desired: this.desiredCount, creating: this.creating, removalOrder, rollout,
      standby: this.options.standby?.() ?? 0, creatingSpares: this.creatingSpares,
    });
    for (const action of actions) this.act(action);
    if (changed) this.options.onChange();
  }

  private mayCreate(): boolean {
    return this.now() >= this.createBackoffUntil && !this.options.createsWait?.();
  }

  private act(action: ReconcileAction): void {
    if (action.type === 'create' || action.type === 'createSpare') {
      if (!this.mayCreate()) return;
      for (let i = 0; i < action.count; i++) this.runCreate(action.type === 'createSpare');
      return;
    }
    if (action.type === 'deregister') {
      this.runDetached(this.options.lb.remove(action.name, 3000).then(() => {
        this.options.onEvent('haproxy', `Removed server ${action.name}: no replica of ours behind it`);
      }));
      return;
    }
    const replica = this.tracked.get(action.id);
    if (!replica) return;
    switch (action.type) {
      case 'reap':
        this.runJob(replica, () => this.lifecycle.reap(replica));
        break;
      case 'drain':
        this.runJob(replica, () => this.lifecycle.drainAndRemove(replica));
        break;
      case 'register':
        this.runJob(replica, () => this.lifecycle.register(replica));
        break;
      case 'bringUp':
        this.runJob(replica, () => this.lifecycle.bringUp(replica, this.now()));
        break;
      case 'promote':
        // On its way to serving from this moment: a pass planned while the runtime command is under way counts it in
        // the desired number, instead of starting another replica for its place and then draining one of the two.
        replica.state = 'starting';
        replica.spare = false;
        this.runJob(replica, () => this.lifecycle.promote(replica, this.now()));
        break;
    }
  }

  private runDetached(job: Promise<void>): void {
    const tracked = job.catch((error: unknown) => this.options.onEvent('error', (error as Error).message));
    this.jobs.add(tracked);
    void tracked.finally(() => this.jobs.delete(tracked));
  }

  private runJob(replica: TrackedReplica, job: () => Promise<void>): void {
    replica.busy = true;
    this.runDetached(
      job()
        .catch((error: unknown) => {
          replica.state = 'failed';
          replica.note = (error as Error).message;
          this.options.onEvent('error', `${replica.name}: ${(error as Error).message}`);
        })
        .finally(() => {
          replica.busy = false;
          this.tracked.touch(replica);
          this.options.onChange();
          this.kick();
        }),
    );
  }

  private runCreate(spare: boolean): void {
    const count = (delta: number) => (spare ? (this.creatingSpares += delta) : (this.creating += delta));
    count(1);
    const requestedAt = this.now();
    const spec = this.options.spec();
    this.runDetached(
      this.options.driver.create(spec).then(
        (created) => {
          count(-1);
          this.createFailures = 0;
          const replica = this.tracked.track(created, 'starting', false);
          replica.spare = spare;
          this.options.onEvent('replica', `Starting ${created.name} on port ${created.hostPort}${spare ? ' as a warm spare' : ''}`);
          this.options.onChange();
          this.runJob(replica, () => this.lifecycle.bringUp(replica, requestedAt));
        },
        (error: unknown) => {
          count(-1);
          this.createFailures += 1;
          const waitS = Math.min(30, 2 ** (this.createFailures - 1));
          this.createBackoffUntil = this.now() + waitS * 1000;
          this.options.onEvent('error', `Could not start a replica: ${(error as Error).message} (next try in ${waitS} s)`);
        },
      ),
    );
  }
}
