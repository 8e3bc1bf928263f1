// The pure half of the reconcile loop: given what runs, what HAProxy serves and the desired count, which actions.
import type { ReplicaState } from '../contract.js';
import { planRolloutStep, type RolloutInput } from './rollout-plan.js';

/** One replica as the controller tracks it, joined with what the driver and HAProxy report this tick. */
export interface ReplicaFacts {
  id: string;
  name: string;
  state: ReplicaState;
  startedAt: number;
  /** The driver still reports the container/process running. */
  running: boolean;
  /** HAProxy has a server of this name. */
  registered: boolean;
  /** A bring-up, drain or removal is already under way for it. */
  busy: boolean;
  /** HAProxy has its server draining or in maintenance, and no job of this run put it there (an earlier run did). */
  leftDraining?: boolean;
  /** What it is (generation.ts); absent for replicas made before generations existed. */
  generation?: string;
}

export interface ServerFacts {
  name: string;
}

export type ReconcileAction =
  | { type: 'create'; count: number }
  | { type: 'drain'; id: string }
  | { type: 'register'; id: string }
  | { type: 'reap'; id: string }
  | { type: 'deregister'; name: string }
  | { type: 'bringUp'; id: string };

export interface ReconcileInput {
  replicas: ReplicaFacts[];
  /** Servers in our backend, or null when HAProxy cannot be asked right now. */
  servers: ServerFacts[] | null;
  desired: number;
  /** Replicas being created that the driver does not list yet. */
  creating: number;
  /** Ids in the order the engine itself removes replicas on scale-in (Swarm); newest first when absent. */
  removalOrder?: string[];
  /** The generation new replicas are, and the rollout's limits; replicas of another generation are replaced. */
  rollout?: RolloutInput;
}

/** Replicas that count towards the desired number: serving or on their way to serving. */
export function isActive(state: ReplicaState): boolean {
  return state === 'starting' || state === 'ready';
}

export function planReconcile({ replicas, servers, desired, creating, removalOrder, rollout }: ReconcileInput): ReconcileAction[] {
  const actions: ReconcileAction[] = [];
  const lbKnown = servers !== null;

  // A replica whose process is gone, or that never became healthy, is taken out of HAProxy and removed;
  // the count below then replaces it.
  const isDead = (r: ReplicaFacts) => !r.busy && (!r.running || r.state === 'failed');
  for (const r of replicas) if (isDead(r)) actions.push({ type: 'reap', id: r.id });
  const live = replicas.filter((r) => !isDead(r));

  if (lbKnown) {
    // Servers of replicas being reaped are removed by the reap itself.
    const names = new Set(replicas.map((r) => r.name));
    for (const s of servers) if (!names.has(s.name)) actions.push({ type: 'deregister', name: s.name });
    // After an HAProxy restart its backend is empty: every ready replica goes back in.
    for (const r of live) if (r.state === 'ready' && !r.registered && !r.busy) actions.push({ type: 'register', id: r.id });
  }
  const victims = new Set<string>();
  const active = live.filter((r) => isActive(r.state)).length + creating;
  const step = rollout ? planRolloutStep(live, desired, creating, rollout) : null;
  if (step) {
    if (step.create > 0) actions.push({ type: 'create', count: step.create });
    for (const id of step.drain) {
      actions.push({ type: 'drain', id });
      victims.add(id);
    }
  } else if (active < desired) {
    actions.push({ type: 'create', count: desired - active });
  } else if (active > desired) {
    // A server an earlier run left draining goes first (that scale-in is finished). Then newest first: the oldest
    // replicas are warm and have proven themselves. An engine that picks its own victims (Swarm) tells us which,
    // so exactly those are drained before it removes them.
    const rank = new Map(removalOrder?.map((id, index) => [id, index]));
    const byRemovalOrder = (a: ReplicaFacts, b: ReplicaFacts) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity);
    const newestFirst = (a: ReplicaFacts, b: ReplicaFacts) => b.startedAt - a.startedAt || b.name.localeCompare(a.name);
    const leftDrainingFirst = (a: ReplicaFacts, b: ReplicaFacts) => Number(Boolean(b.leftDraining)) - Number(Boolean(a.leftDraining));
    const order = removalOrder ? byRemovalOrder : newestFirst;
    const candidates = live.filter((r) => isActive(r.state) && !r.busy).sort((a, b) => leftDrainingFirst(a, b) || order(a, b));
    for (const r of candidates.slice(0, active - desired)) {
      actions.push({ type: 'drain', id: r.id });
      victims.add(r.id);
    }
  }
  // Starting with nobody bringing it up: adopted mid-start after an app restart. Wait for health, then register.
  for (const r of live) if (r.state === 'starting' && r.running && !r.busy && !victims.has(r.id)) actions.push({ type: 'bringUp', id: r.id });
  return actions;
}
