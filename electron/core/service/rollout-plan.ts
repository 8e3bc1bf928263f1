// The pure rollout step: while replicas of an older generation serve, how many new ones to start and which old ones to drain.
import { isActive, type ReplicaFacts } from './replica-facts.js';

export interface RolloutInput {
  /** The generation the settings describe now: what every new replica is. */
  generation: string;
  /** How many replicas may run above the desired count while old ones are replaced. */
  surge: number;
  /** A bad version stopped the rollout: no new replica is started for it (one below the desired count still is). */
  paused: boolean;
  /**
   * Set when the engine replaces replicas itself (Swarm's rolling update): nothing is started or drained for the
   * rollout here beyond draining each replica the engine is replacing. `updating` while the engine's update runs.
   */
  engine?: { updating: boolean };
}

export interface RolloutStep {
  create: number;
  drain: string[];
}

/** Replicas without a generation were made before generations existed: unknown, so never replaced on a guess. */
export function isOldGeneration(replica: Pick<ReplicaFacts, 'generation'>, generation: string): boolean {
  return replica.generation !== undefined && replica.generation !== generation;
}

const newestFirst = (a: ReplicaFacts, b: ReplicaFacts) => b.startedAt - a.startedAt || b.name.localeCompare(a.name);

/**
 * Null when no replica of an older generation is active (the plain count rules apply). Otherwise: start new
 * replicas up to `desired + surge` while fewer than `desired` are new, and once more than `desired` are ready drain
 * the surplus from the old ones, newest old first. So the count of active replicas never drops below `desired`,
 * and an old replica leaves only after a new one is ready (UP in HAProxy). A count lowered meanwhile removes old
 * replicas first; a count raised meanwhile is filled with new ones.
 */
export function planRolloutStep(live: ReplicaFacts[], desired: number, creating: number, rollout: RolloutInput): RolloutStep | null {
  const active = live.filter((r) => isActive(r.state));
  const old = active.filter((r) => isOldGeneration(r, rollout.generation));
  if (old.length === 0) return null;
  const isOld = (r: ReplicaFacts) => isOldGeneration(r, rollout.generation);
  const total = active.length + creating;
  const ceiling = desired + rollout.surge;
  const drain: ReplicaFacts[] = [];

  // Over the ceiling (the count went down): what does not serve yet first, then old, newest first.
  const removable = active.filter((r) => !r.busy).sort((a, b) => Number(a.state === 'ready') - Number(b.state === 'ready') || Number(isOld(b)) - Number(isOld(a)) || newestFirst(a, b));
  drain.push(...removable.slice(0, Math.max(0, total - ceiling)));

  // Replacement: every ready replica above the desired count is an old one's cue to go.
  const readyLeft = active.filter((r) => r.state === 'ready' && !drain.includes(r)).length;
  const oldReady = old.filter((r) => r.state === 'ready' && !r.busy && !drain.includes(r)).sort(newestFirst);
  drain.push(...oldReady.slice(0, Math.max(0, readyLeft - desired)));

  const freshCount = active.filter((r) => !isOld(r)).length + creating;
  const room = Math.max(0, ceiling - (total - drain.length));
  const wantedNew = rollout.paused ? 0 : Math.max(0, desired - freshCount);
  // Below the desired count (a replica died) it is refilled even while paused; only the surge waits.
  const refill = Math.max(0, desired - (total - drain.length));
  return { create: Math.max(Math.min(room, wantedNew), refill), drain: drain.map((r) => r.id) };
}
