// What the reconcile loop and the rollout step both know of a replica: its facts this tick, and what counts it.
import type { ReplicaState } from '../../contract/contract.js';

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
  /** Created to be a warm spare: brought up out of rotation, and not counted towards the desired number. */
  spare?: boolean;
  /** What it is (generation.ts); absent for replicas made before generations existed. */
  generation?: string;
  /** The replica the engine started to replace this one (Swarm's rolling update); the engine stops this one. */
  successor?: string;
}

/** Replicas that count towards the desired number: serving or on their way to serving. */
export function isActive(state: ReplicaState): boolean {
  return state === 'starting' || state === 'ready';
}

/** A spare, or one on its way to being a spare. */
export function isSpare(r: Pick<ReplicaFacts, 'state' | 'spare'>): boolean {
  return r.state === 'standby' || (r.state === 'starting' && r.spare === true);
}
