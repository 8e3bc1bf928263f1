// The pure half of the reconcile loop: given what runs, what HAProxy serves and the desired count, which actions.
import { isActive, isSpare, type ReplicaFacts } from './replica-facts.js';
import { isOldGeneration, planRolloutStep, type RolloutInput } from './rollout-plan.js';

export interface ServerFacts {
  name: string;
}

export type ReconcileAction =
  | { type: 'create'; count: number }
  | { type: 'createSpare'; count: number }
  | { type: 'promote'; id: string }
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
  /** Warm spares to keep beside the desired number (standbyReplicas). */
  standby?: number;
  /** Spares being created that the driver does not list yet. */
  creatingSpares?: number;
  /** The generation new replicas are, and the rollout's limits; replicas of another generation are replaced. */
  rollout?: RolloutInput;
}

const oldestFirst = (a: ReplicaFacts, b: ReplicaFacts) => a.startedAt - b.startedAt || a.name.localeCompare(b.name);
const newestFirst = (a: ReplicaFacts, b: ReplicaFacts) => b.startedAt - a.startedAt || b.name.localeCompare(a.name);

export function planReconcile({ replicas, servers, desired, creating, removalOrder, rollout, standby = 0, creatingSpares = 0 }: ReconcileInput): ReconcileAction[] {
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
    // After an HAProxy restart its backend is empty: every ready replica and spare goes back in.
    for (const r of live) if ((r.state === 'ready' || r.state === 'standby') && !r.registered && !r.busy) actions.push({ type: 'register', id: r.id });
  }
  const victims = new Set<string>();
  // One the engine is replacing (its successor is tracked) gives its place in the count to the successor, is no
  // scale-in candidate, and is drained as soon as the successor is UP: before the engine stops it.
  const tracked = new Map(live.map((r) => [r.id, r]));
  const beingReplaced = (r: ReplicaFacts) => r.successor !== undefined && tracked.has(r.successor);
  for (const r of live.filter(beingReplaced)) {
    if (!isActive(r.state) || r.busy || tracked.get(r.successor!)!.state !== 'ready') continue;
    actions.push({ type: 'drain', id: r.id });
    victims.add(r.id);
  }
  // Spares stay out of the count and out of a rollout; one of an older generation is replaced, never promoted.
  // One whose process is gone while a job still holds it (a bring-up about to fail) no longer counts either.
  const serving = live.filter((r) => !isSpare(r) && !beingReplaced(r) && r.running);
  const isStale = (r: ReplicaFacts) => rollout !== undefined && isOldGeneration(r, rollout.generation);
  const active = serving.filter((r) => isActive(r.state)).length + creating;
  const step = rollout && !rollout.engine ? planRolloutStep(serving, desired, creating, rollout) : null;
  // A scale-out takes warm spares first (one runtime command each), and creates only what they do not cover.
  const promotable = live.filter((r) => r.state === 'standby' && !r.busy && !isStale(r)).sort(oldestFirst);
  const promoted = !step && active < desired ? promotable.slice(0, desired - active) : [];
  for (const r of promoted) actions.push({ type: 'promote', id: r.id });
  if (step) {
    if (step.create > 0) actions.push({ type: 'create', count: step.create });
    for (const id of step.drain) {
      actions.push({ type: 'drain', id });
      victims.add(id);
    }
  } else if (rollout?.engine?.updating) {
    // A count change waits while the engine's own update runs: Swarm starts its update over when the replica count
    // changes, and then stops an old task before its start-first replacement runs. Swarm refills its own slots.
  } else if (active + promoted.length < desired) {
    actions.push({ type: 'create', count: desired - active - promoted.length });
  } else if (active > desired) {
    // A server an earlier run left draining goes first (that scale-in is finished). Then newest first: the oldest
    // replicas are warm and have proven themselves. An engine that picks its own victims (Swarm) tells us which,
    // so exactly those are drained before it removes them.
    const rank = new Map(removalOrder?.map((id, index) => [id, index]));
    const byRemovalOrder = (a: ReplicaFacts, b: ReplicaFacts) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity);
    const leftDrainingFirst = (a: ReplicaFacts, b: ReplicaFacts) => Number(Boolean(b.leftDraining)) - Number(Boolean(a.leftDraining));
    const order = removalOrder ? byRemovalOrder : newestFirst;
    const candidates = serving.filter((r) => isActive(r.state) && !r.busy).sort((a, b) => leftDrainingFirst(a, b) || order(a, b));
    for (const r of candidates.slice(0, active - desired)) {
      actions.push({ type: 'drain', id: r.id });
      victims.add(r.id);
    }
  }
  // Spares promoted this pass no longer count, nor do those of an older generation (drained here); the pool is
  // refilled behind them, or trimmed newest first.
  const stale = live.filter((r) => r.state === 'standby' && !r.busy && isStale(r));
  for (const r of stale) {
    actions.push({ type: 'drain', id: r.id });
    victims.add(r.id);
  }
  const spares = live.filter(isSpare).length - promoted.length - stale.length + creatingSpares;
  if (spares < standby) {
    actions.push({ type: 'createSpare', count: standby - spares });
  } else if (spares > standby) {
    const idle = live.filter((r) => r.state === 'standby' && !r.busy && !promoted.includes(r) && !isStale(r)).sort(newestFirst);
    for (const r of idle.slice(0, spares - standby)) {
      actions.push({ type: 'drain', id: r.id });
      victims.add(r.id);
    }
  }
  // Starting with nobody bringing it up: adopted mid-start after an app restart. Wait for health, then register.
  for (const r of live) if (r.state === 'starting' && r.running && !r.busy && !victims.has(r.id)) actions.push({ type: 'bringUp', id: r.id });
  return actions;
}
