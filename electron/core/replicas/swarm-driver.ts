// Replicas as the tasks of one Docker Swarm service: scaled through its replica count, each on its own host port,
// and rolled out to a new spec by Swarm's own rolling update.
import type Dockerode from 'dockerode';
import { CONTAINER_PORT_LABEL, DEFAULT_STOP_TIMEOUT_S, dockerStatus } from './docker-driver.js';
import { DockerStatsFeeds } from './docker-stats.js';
import {
  type DriverStatus,
  type EngineUpdate,
  type ObservedReplica,
  type ReplicaDriver,
  type ReplicaSpec,
  type ReplicaStats,
  type RollingEngine,
} from './replica-driver.js';
import { GENERATION_LABEL } from './generation.js';
import { IMAGE_LABEL } from './swarm/service-spec.js';
import { engineUpdateOf } from './swarm/rolling-update.js';
import { NOT_A_MANAGER, SwarmService } from './swarm/swarm-service.js';
import { LocalTaskContainers } from './swarm/local-containers.js';
import { SwarmNodes } from './swarm/swarm-nodes.js';
import { assertAppName, message, stopContainer } from './engine-errors.js';
import { pollUntil, sleep as sleepOn, systemClock } from '../clock.js';
import {
  claimableSlots, hasStopped, isServing, isStarting, isWanted, publishedPort, removalPlan, replicaFromTask, stoppingForSuccessor, successors,
  swarmRemovalOrder, type SwarmTask,
} from './swarm/tasks.js';

export { TASK_ID_LABEL } from './swarm/local-containers.js';
const POLL_MS = 200;
const NEW_SLOT_TIMEOUT_MS = 10_000;
const sleep = (ms: number) => sleepOn(systemClock, ms);

export interface SwarmDriverOptions {
  app: string;
  /** The data folder's hash (INSTANCE_LABEL): a service another data folder labelled is never adopted. */
  instance?: string;
  /** Where the driver says it adopted a service made before the instance label. */
  log?: (line: string) => void;
  docker: Dockerode;
  service: string;
  /** How long a new task may take to run. */
  startTimeoutMs?: number;
  /** How long a removal waits for tasks Swarm drops first on other nodes (being drained too) before it goes ahead. */
  removalWaitMs?: number;
}

interface SlotClaim {
  serviceId: string;
  slot: number;
  /** Task ids that existed when the slot was claimed: a failure among them is not this create's. */
  known: Set<string>;
}

export class SwarmDriver implements ReplicaDriver {
  readonly kind = 'swarm' as const;
  private readonly docker: Dockerode;
  private readonly swarm: SwarmService;
  private readonly startTimeoutMs: number;
  private readonly removalWaitMs: number;
  private readonly statsFeeds: DockerStatsFeeds;
  /** Task ids the controller has: returned by create() or listed while no create was waiting. */
  private readonly handedOut = new Set<string>();
  /** Slots a running create() waits on. */
  private readonly claimed = new Set<number>();
  /** Tasks the controller removed that Swarm has not stopped yet: never listed again, so never adopted again. */
  private readonly released = new Set<string>();
  private creating = 0;
  /** Service updates run one at a time, so each create gets its own slot and each removal drops the right one. */
  private updates: Promise<unknown> = Promise.resolve();
  private readonly local: LocalTaskContainers;
  private readonly nodes: SwarmNodes;
  /** The template's generation and Swarm's latest update, from the last listing. */
  private latest: ReturnType<RollingEngine['template']> = null;
  readonly rolling: RollingEngine = {
    template: () => this.latest,
    // The rollout hands a spec over only while no update runs (a new one would make Swarm start over).
    rollTo: (spec, options) => this.serialized(() => this.swarm.rollTo(spec, options)),
  };

  constructor(options: SwarmDriverOptions) {
    assertAppName(options.app);
    this.docker = options.docker;
    this.swarm = new SwarmService(options.docker, options.service, options.app, options.instance, options.log);
    this.nodes = new SwarmNodes(options.docker, options.service, options.log ?? (() => undefined));
    this.local = new LocalTaskContainers(options.docker, options.app, (labels) => this.swarm.isOurs(labels));
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
    this.removalWaitMs = options.removalWaitMs ?? 60_000;
    this.statsFeeds = new DockerStatsFeeds(this.docker);
  }

  async status(): Promise<DriverStatus> {
    const engine = await dockerStatus(this.docker);
    if (!engine.reachable) return engine;
    try {
      const info = (await this.docker.info()) as { Swarm?: { ControlAvailable?: boolean } };
      return info.Swarm?.ControlAvailable ? engine : { reachable: false, version: engine.version, error: NOT_A_MANAGER };
    } catch (error) {
      return { reachable: false, version: engine.version, error: `The Docker engine did not say whether it is a swarm manager: ${message(error)}` };
    }
  }

  async list(): Promise<ObservedReplica[]> {
    const service = await this.swarm.findOurs();
    if (!service) {
      this.handedOut.clear();
      this.local.clear();
      this.latest = null;
      this.statsFeeds.close();
      return [];
    }
    const update: EngineUpdate | null = engineUpdateOf(service);
    this.latest = { generation: service.Spec?.Labels?.[GENERATION_LABEL], update };
    const [tasks] = await Promise.all([this.swarm.tasks(service.ID), this.local.refresh()]);
    await this.nodes.refresh(tasks);
    const containerPort = Number(service.Spec?.Labels?.[CONTAINER_PORT_LABEL]) || 0;
    const image = service.Spec?.Labels?.[IMAGE_LABEL];
    const stopping = stoppingForSuccessor(tasks);
    const replacedBy = new Map([...successors(tasks), ...stopping]);
    const replicas: ObservedReplica[] = [];
    // A task still starting (waiting for its HEALTHCHECK) is listed once its container's port is known here, so it
    // can be UP in HAProxy, and the task it replaces drained, before Swarm stops that one. One Swarm is stopping for
    // its successor stays listed until the controller has drained and released it.
    for (const id of this.released) if (!tasks.some((t) => t.ID === id && !hasStopped(t))) this.released.delete(id);
    const listed = tasks.filter((t) => !this.released.has(t.ID) && (isServing(t) || stopping.has(t.ID) || (isStarting(t) && this.local.portOf(t.ID))));
    for (const task of listed) {
      replicas.push(replicaFromTask(task, {
        service: this.swarm.name, host: await this.nodes.address(task.NodeID), node: this.nodes.name(task.NodeID), containerPort,
        localPort: this.local.portOf(task.ID), image, successor: replacedBy.get(task.ID),
      }));
    }
    // While a create waits, a new running task is the one it will return; otherwise the controller adopts it. A task
    // replacing another in Swarm's rolling update is adopted at once, never returned by a create.
    const replacing = new Set(replacedBy.values());
    for (const replica of replicas) if (this.creating === 0 || replacing.has(replica.id)) this.handedOut.add(replica.id);
    const existing = new Set(tasks.map((t) => t.ID));
    for (const id of this.handedOut) if (!existing.has(id)) this.handedOut.delete(id);
    const serving = new Set(replicas.map((r) => this.local.containerOf(r.id)).filter((id): id is string => id !== undefined));
    // Opening the stats feed now means the first stats() reading of a replica need not wait for the engine.
    this.statsFeeds.keepOnly(serving);
    return replicas;
  }

  private async replicaOf(task: SwarmTask, containerPort: number): Promise<ObservedReplica> {
    const host = await this.nodes.address(task.NodeID);
    return replicaFromTask(task, { service: this.swarm.name, host, node: this.nodes.name(task.NodeID), containerPort, localPort: this.local.portOf(task.ID) });
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.updates.then(work);
    this.updates = run.catch(() => undefined);
    return run;
  }

  async create(spec: ReplicaSpec): Promise<ObservedReplica> {
    this.creating += 1;
    try {
      const deadline = Date.now() + this.startTimeoutMs;
      for (;;) {
        const claim = await this.serialized(() => this.claimSlot(spec));
        try {
          const task = await this.waitForTaskIn(claim, spec.containerPort, deadline);
          if (task) {
            this.handedOut.add(task.ID);
            return await this.replicaOf(task, spec.containerPort);
          }
        } finally {
          this.claimed.delete(claim.slot);
        }
        // Swarm dropped the slot (a removal lowered the count while its task was not running yet): claim another.
      }
    } finally {
      this.creating -= 1;
    }
  }

  /** Takes a slot Swarm already fills and nobody has, or raises the replica count by one for a new slot. */
  private async claimSlot(spec: ReplicaSpec): Promise<SlotClaim> {
    const serviceId = await this.swarm.ensure(spec);
    const tasks = await this.swarm.tasks(serviceId);
    const known = new Set(tasks.map((t) => t.ID));
    let slot: number | undefined = claimableSlots(tasks, this.handedOut, this.claimed)[0];
    if (slot === undefined) {
      await this.swarm.waitForUpdateToEnd(serviceId, this.removalWaitMs);
      const before = new Set((await this.swarm.tasks(serviceId)).filter(isWanted).map((t) => t.Slot ?? 0));
      await this.swarm.scaleBy(serviceId, 1);
      slot = await this.waitForNewSlot(serviceId, before);
    }
    this.claimed.add(slot);
    return { serviceId, slot, known };
  }

  private waitForNewSlot(serviceId: string, before: Set<number>): Promise<number> {
    return pollUntil<number>(systemClock, async () => {
      const fresh = (await this.swarm.tasks(serviceId)).filter(isWanted).map((t) => t.Slot ?? 0).filter((s) => !before.has(s) && !this.claimed.has(s));
      return fresh.length > 0 ? { done: Math.min(...fresh) } : { waiting: 'no new slot' };
    }, { timeoutMs: NEW_SLOT_TIMEOUT_MS, intervalMs: 50, describe: () => `Swarm started no new task of ${this.swarm.name} within ${NEW_SLOT_TIMEOUT_MS / 1000} s of raising its replica count` });
  }

  /** The slot's running task once it has a port; null when Swarm dropped the slot. */
  private async waitForTaskIn(claim: SlotClaim, containerPort: number, deadline: number): Promise<SwarmTask | null> {
    for (;;) {
      const inSlot = (await this.swarm.tasks(claim.serviceId)).filter((t) => (t.Slot ?? 0) === claim.slot);
      if (!inSlot.some(isWanted)) return null;
      const ready = inSlot.find((t) => isServing(t) && !this.handedOut.has(t.ID) && publishedPort(t, containerPort) > 0);
      if (ready) return ready;
      // An image with a HEALTHCHECK keeps its task `starting` until its first probe passes (one interval): with its
      // port read from the local container the controller checks it and puts it in HAProxy meanwhile.
      const starting = inSlot.find((t) => isStarting(t) && !this.handedOut.has(t.ID));
      if (starting) {
        await this.local.refresh();
        if (this.local.portOf(starting.ID) !== undefined) return starting;
      }
      const failed = inSlot.find((t) => !claim.known.has(t.ID) && (t.Status.State === 'failed' || t.Status.State === 'rejected'));
      if (failed) throw new Error(`Swarm could not start a task of ${this.swarm.name}: ${taskProblem(failed)}`);
      if (Date.now() > deadline) {
        const latest = inSlot.find(isWanted);
        const where = latest ? `${latest.Status.State}: ${taskProblem(latest)}` : 'gone';
        throw new Error(`no task of ${this.swarm.name} ran within ${this.startTimeoutMs / 1000} s (slot ${claim.slot} is ${where})`);
      }
      await sleep(POLL_MS);
    }
  }

  /** Lowers the count by one so that Swarm drops exactly this task (see removalPlan); resolves once it has stopped. */
  async remove(id: string, graceS: number): Promise<void> {
    const waitUntil = Date.now() + this.removalWaitMs;
    try {
      for (;;) {
        const outcome = await this.serialized(async (): Promise<'gone' | 'wait' | 'stopped' | 'left-to-swarm' | 'replaced'> => {
          const service = await this.swarm.findOurs();
          if (!service) return 'gone';
          let plan = removalPlan(id, await this.swarm.tasks(service.ID), await this.swarm.localNodeId());
          if (plan === 'gone' || plan === 'replaced') return plan;
          if (plan === 'wait' && Date.now() < waitUntil) return 'wait';
          // A count change during Swarm's rolling update would restart it; the task is drained already, so wait.
          await this.swarm.waitForUpdateToEnd(service.ID, Math.max(0, waitUntil - Date.now()));
          plan = removalPlan(id, await this.swarm.tasks(service.ID), await this.swarm.localNodeId());
          if (plan === 'gone' || plan === 'replaced') return plan;
          if (plan === 'stop-then-scale-down') {
            await this.stopTask(service.ID, id, graceS);
            await this.swarm.scaleBy(service.ID, -1);
            return 'stopped';
          }
          // Swarm stops it: SIGTERM, then SIGKILL after the service's stop grace period.
          await this.swarm.scaleBy(service.ID, -1);
          return 'left-to-swarm';
        });
        if (outcome === 'wait') {
          await sleep(250);
          continue;
        }
        if (outcome === 'left-to-swarm') await this.waitUntilStopped(id, (DEFAULT_STOP_TIMEOUT_S + 10) * 1000);
        if (outcome === 'replaced') await this.waitUntilReplaced(id, waitUntil);
        this.released.add(id);
        return;
      }
    } finally {
      this.handedOut.delete(id);
      const containerId = this.local.containerOf(id);
      if (containerId) this.statsFeeds.forget(containerId);
    }
  }

  /** SIGTERM with the grace, then waits until Swarm has seen the task stop (so its slot is the one dropped next). */
  private async stopTask(serviceId: string, id: string, graceS: number): Promise<void> {
    const containerId = await this.local.find(id);
    if (containerId) {
      const container = this.docker.getContainer(containerId);
      // The task's own stop signal is one it ignores (see SWARM_STOP_SIGNAL): SIGTERM lets it finish gracefully.
      await container.kill({ signal: 'SIGTERM' }).catch(() => undefined);
      await stopContainer(container, graceS, `task ${id.slice(0, 12)}`);
    }
    await pollUntil(systemClock, async () => {
      const task = (await this.swarm.tasks(serviceId)).find((t) => t.ID === id);
      return !task || hasStopped(task) || !isWanted(task) ? { done: undefined } : { waiting: 'running' };
    }, { timeoutMs: 10_000, intervalMs: 50, describe: () => `Swarm still reports task ${id.slice(0, 12)} running 10 s after its container was stopped` });
  }

  /**
   * Waits for Swarm to stop a task it removes itself; past `timeoutMs` the removal goes on regardless. Swarm's stop
   * signal is one the task ignores, so one on this engine gets SIGTERM once Swarm no longer wants it (not before:
   * Swarm would restart a task that exits while it still wants it).
   */
  private async waitUntilStopped(id: string, timeoutMs: number): Promise<void> {
    let signalled = false;
    await pollUntil(systemClock, async () => {
      const service = await this.swarm.findOurs();
      const task = service && (await this.swarm.tasks(service.ID)).find((t) => t.ID === id);
      if (task && !signalled && !isWanted(task)) {
        signalled = true;
        const containerId = await this.local.find(id);
        if (containerId) await this.docker.getContainer(containerId).kill({ signal: 'SIGTERM' }).catch(() => undefined);
      }
      return !task || hasStopped(task) ? { done: undefined } : { waiting: 'running' };
    }, { timeoutMs, intervalMs: POLL_MS, describe: () => 'still running' }).catch(() => undefined);
  }

  /**
   * Swarm's rolling update stops the task once its replacement runs. If the replacement fails instead, Swarm rolls
   * back and keeps this task: that is an error, so the controller takes it out rather than leave it drained forever.
   */
  private async waitUntilReplaced(id: string, deadline: number): Promise<void> {
    for (;;) {
      const service = await this.swarm.findOurs();
      const tasks = service ? await this.swarm.tasks(service.ID) : [];
      const plan = removalPlan(id, tasks, null);
      if (plan === 'gone') return;
      if (plan !== 'replaced') throw new Error(`Swarm kept task ${id.slice(0, 12)}: its replacement did not run (see the rollout's events)`);
      if (Date.now() > deadline) throw new Error(`Swarm did not stop task ${id.slice(0, 12)} within ${this.removalWaitMs / 1000} s though a newer task replaces it`);
      await sleep(POLL_MS);
    }
  }

  /** From the task container's cgroup files, or its stats stream, on this engine; a task on another node has no readable stats. */
  async stats(id: string, spec: ReplicaSpec): Promise<ReplicaStats> {
    const containerId = await this.local.find(id);
    if (!containerId) {
      throw new Error(`task ${id.slice(0, 12)} has no container on this Docker engine (it runs on another node, whose engine ScaleDeck does not reach)`);
    }
    return this.statsFeeds.read(containerId, spec.cpuLimit);
  }

  removalOrder(replicas: ObservedReplica[]): string[] {
    return swarmRemovalOrder(replicas.map((r) => ({ id: r.id, node: r.host, slot: r.slot ?? 0, running: r.running })));
  }

  /** Nothing to stop: the service keeps running; the controller's scale-in to 0 on quit removes its tasks. */
  async close(): Promise<void> {
    this.statsFeeds.close();
  }
}

function taskProblem(task: SwarmTask): string {
  const problem = task.Status.Err || task.Status.Message || task.Status.State;
  return /no such image/i.test(problem) ? `${problem}: load the image on every node (\`docker save IMAGE | docker load\` keeps its ID)` : problem;
}
