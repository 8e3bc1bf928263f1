// Swarm tasks as ScaleDeck replicas: which tasks count, how one becomes a replica, and which ones Swarm removes first.
import { GENERATION_LABEL, HEALTH_PATH_LABEL } from '../generation.js';
import type { ObservedReplica } from '../replica-driver.js';
import { IMAGE_LABEL } from './service-spec.js';

/** The fields of a task (GET /tasks) the swarm driver reads; @types/dockerode types tasks as `any`. */
export interface SwarmTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  CreatedAt?: string;
  DesiredState: string;
  /** The template the task was made from; its container labels say its generation. */
  Spec?: { ContainerSpec?: { Labels?: Record<string, string> } };
  Status: {
    Timestamp?: string;
    State: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
    PortStatus?: { Ports?: Array<{ Protocol?: string; TargetPort?: number; PublishedPort?: number; PublishMode?: string }> };
  };
}

/** Swarm's task states in its own order: everything up to `running` is on the way to running. */
const TASK_STATES = [
  'new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running',
  'complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned',
];
const RUNNING = TASK_STATES.indexOf('running');
const rank = (state: string) => TASK_STATES.indexOf(state);

/** Swarm still wants this task to run: it holds a slot, which counts towards the service's replicas. */
export function isWanted(task: SwarmTask): boolean {
  const desired = rank(task.DesiredState);
  return desired >= 0 && desired <= RUNNING;
}

/** The task's container has exited (or never will run), whatever Swarm wants of it. */
export function hasStopped(task: SwarmTask): boolean {
  return rank(task.Status.State) > RUNNING;
}

export function isServing(task: SwarmTask): boolean {
  return isWanted(task) && task.Status.State === 'running';
}

/**
 * Its container runs but Swarm waits for it to pass the image's HEALTHCHECK before it counts it running (and, in a
 * start-first update, before it stops the task this one replaces). Swarm publishes no port for it yet.
 */
export function isStarting(task: SwarmTask): boolean {
  return isWanted(task) && task.Status.State === 'starting';
}

const createdAt = (task: SwarmTask) => Date.parse(task.CreatedAt ?? '') || 0;

/**
 * Task id -> the id of the newer task Swarm started in the same slot to replace it. In a rolling update (start-first)
 * Swarm makes the new task in the slot of the one it replaces and stops the old one as soon as the new one runs, so
 * the old one of a slot with two wanted tasks is the next to go.
 */
export function successors(tasks: SwarmTask[]): Map<string, string> {
  const bySlot = new Map<number, SwarmTask[]>();
  for (const task of tasks.filter(isWanted)) bySlot.set(task.Slot ?? 0, [...(bySlot.get(task.Slot ?? 0) ?? []), task]);
  const result = new Map<string, string>();
  for (const inSlot of bySlot.values()) {
    if (inSlot.length < 2) continue;
    const newest = inSlot.reduce((a, b) => (createdAt(b) > createdAt(a) || (createdAt(b) === createdAt(a) && b.ID > a.ID) ? b : a));
    for (const task of inSlot) if (task !== newest) result.set(task.ID, newest.ID);
  }
  return result;
}

/**
 * Task id -> its running successor, for old tasks Swarm has told to stop but whose container still runs: Swarm does so
 * the moment the successor runs, and on another node that is the first time ScaleDeck can read the successor's port.
 * The old task keeps serving through its stop grace (its stop signal is one it ignores) until ScaleDeck drains it.
 */
export function stoppingForSuccessor(tasks: SwarmTask[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const old of tasks) {
    if (isWanted(old) || old.Status.State !== 'running') continue;
    const successor = tasks.filter((t) => isServing(t) && (t.Slot ?? 0) === (old.Slot ?? 0) && createdAt(t) > createdAt(old))
      .sort((a, b) => createdAt(b) - createdAt(a))[0];
    if (successor) result.set(old.ID, successor.ID);
  }
  return result;
}

/** The host port the task's container port is published on, or 0 while it has none. */
export function publishedPort(task: SwarmTask, containerPort: number): number {
  const ports = task.Status.PortStatus?.Ports ?? [];
  const port = ports.find((p) => p.PublishMode === 'host' && (!containerPort || p.TargetPort === containerPort) && p.PublishedPort);
  return port?.PublishedPort ?? 0;
}

/** `<service>-<slot>-<task id prefix>`: unique, readable in HAProxy, and only letters, digits and '-'. */
export function replicaName(service: string, task: SwarmTask): string {
  return `${service}-${task.Slot ?? 0}-${task.ID.slice(0, 6)}`.replace(/[^A-Za-z0-9-]/g, '-');
}

export interface TaskWhere {
  service: string;
  host: string;
  /** The node's name, for the replica table. */
  node?: string;
  containerPort: number;
  /** The host port read from the task's container on this engine, for a task Swarm publishes none for yet. */
  localPort?: number;
  /** The image name from the service labels, for tasks made before tasks carried their own. */
  image?: string;
  successor?: string;
}

export function replicaFromTask(task: SwarmTask, where: TaskWhere): ObservedReplica {
  const since = Date.parse(task.Status.Timestamp ?? '') || Date.parse(task.CreatedAt ?? '');
  const labels = task.Spec?.ContainerSpec?.Labels ?? {};
  const generation = labels[GENERATION_LABEL];
  const healthPath = labels[HEALTH_PATH_LABEL];
  const image = labels[IMAGE_LABEL] ?? where.image;
  return {
    id: task.ID,
    name: replicaName(where.service, task),
    host: where.host,
    hostPort: publishedPort(task, where.containerPort) || (where.localPort ?? 0),
    startedAt: Number.isFinite(since) ? since : 0,
    running: task.Status.State === 'running' || task.Status.State === 'starting',
    slot: task.Slot,
    ...(generation ? { generation } : {}),
    ...(healthPath ? { healthPath } : {}),
    ...(image ? { image } : {}),
    ...(where.successor ? { successor: where.successor } : {}),
    ...(where.node ? { node: where.node } : {}),
  };
}

/** One slot as Swarm weighs it on scale-in. */
export interface SlotFacts {
  id: string;
  /** The node it runs on ('' while unassigned); tasks on one node share it. */
  node: string;
  slot: number;
  running: boolean;
}

/**
 * Ids in the order Swarm removes them when the replica count is lowered, first to go first. Swarm (swarmkit's
 * replicated orchestrator) keeps running tasks before others and low slots before high ones, numbers each task as
 * the 1st, 2nd, ... copy on its node, keeps the lowest numbers and drops the rest; unassigned tasks go first.
 * On one node that is: tasks that are not running, then the highest slot. Observed on Docker 20.10: 12 of 12
 * scale-ins removed the highest slot, also when the newest task was in slot 1. Between nodes with an equal copy
 * number Swarm's choice is arbitrary; this order then guesses the higher slot.
 */
export function swarmRemovalOrder(slots: SlotFacts[]): string[] {
  const kept = [...slots].sort((a, b) => Number(b.running) - Number(a.running) || a.slot - b.slot);
  const copies = new Map<string, number>();
  const numbered = kept.map((facts) => {
    const copy = (copies.get(facts.node) ?? 0) + 1;
    copies.set(facts.node, copy);
    return { facts, copy: facts.node ? copy : Infinity };
  });
  return numbered.sort((a, b) => a.copy - b.copy).reverse().map(({ facts }) => facts.id);
}

export function slotFacts(task: SwarmTask): SlotFacts {
  return { id: task.ID, node: task.NodeID ?? '', slot: task.Slot ?? 0, running: task.Status.State === 'running' };
}

/**
 * How to remove one task so that Swarm drops exactly that one:
 * - `gone`: it is not wanted any more or has already stopped; Swarm fills its slot and the next create claims it.
 * - `replaced`: Swarm's rolling update started its replacement in its slot and stops it itself: wait for that.
 * - `scale-down`: it is the one Swarm removes next; lowering the count is enough.
 * - `stop-then-scale-down`: every wanted task is on this engine's node, so once it is stopped it is the only slot
 *   not running, which Swarm removes before any running one.
 * - `wait`: another task goes first on other nodes (it is being drained too); ask again shortly.
 */
export type RemovalPlan = 'gone' | 'replaced' | 'scale-down' | 'stop-then-scale-down' | 'wait';

export function removalPlan(id: string, tasks: SwarmTask[], localNodeId: string | null): RemovalPlan {
  const wanted = tasks.filter(isWanted);
  const target = wanted.find((t) => t.ID === id);
  if (!target || hasStopped(target)) return 'gone';
  // Swarm's rolling update stops it itself once its replacement runs; lowering the count would drop a slot.
  if (successors(tasks).has(id)) return 'replaced';
  if (swarmRemovalOrder(wanted.map(slotFacts))[0] === id) return 'scale-down';
  if (localNodeId && wanted.every((t) => t.NodeID === localNodeId)) return 'stop-then-scale-down';
  return 'wait';
}

/**
 * Slots a create may take instead of raising the count: Swarm wants a task there, and its task has not been handed
 * out to the controller yet (a replacement Swarm started for a dead task, or one left over from before a restart),
 * or the handed-out task has stopped and Swarm is about to replace it. Lowest first.
 */
export function claimableSlots(tasks: SwarmTask[], handedOut: ReadonlySet<string>, claimed: ReadonlySet<number>): number[] {
  const bySlot = new Map<number, SwarmTask[]>();
  for (const task of tasks.filter(isWanted)) {
    const slot = task.Slot ?? 0;
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), task]);
  }
  return [...bySlot]
    .filter(([slot, inSlot]) => !claimed.has(slot) && inSlot.every((t) => !handedOut.has(t.ID) || hasStopped(t)))
    .map(([slot]) => slot)
    .sort((a, b) => a - b);
}
