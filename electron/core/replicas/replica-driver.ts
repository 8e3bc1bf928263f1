// The one interface every replica driver (docker, process, swarm) implements for the controller.
import type { ReplicaRuntime } from '../compose/compose-plan-types.js';

/** A replica as the driver sees it right now: what runs, where it listens. */
export interface ObservedReplica {
  /** Stable id: container id, task id, or `proc-<name>` for child processes. */
  id: string;
  /** Short unique name, also used as the HAProxy server name (letters, digits, '-'). */
  name: string;
  /** Address HAProxy reaches the replica on. */
  host: string;
  /** Host port the replica's containerPort is published on. */
  hostPort: number;
  /** Epoch ms when the replica started. */
  startedAt: number;
  /** False once the container/process has exited (it still exists until removed). */
  running: boolean;
  /** Swarm only: the name of the node it runs on. */
  node?: string;
  /** Swarm only: the task's slot number, which decides which tasks Swarm removes first. */
  slot?: number;
  /** Hash of the spec it was made from (generation.ts); absent for replicas made before generations existed. */
  generation?: string;
  /** The image it runs, for showing its generation. */
  image?: string;
  /** The health path it was made for; HAProxy checks it there until it is replaced. */
  healthPath?: string;
  /**
   * Swarm only: the id of the newer task Swarm started in this replica's slot to replace it (its rolling update).
   * Swarm stops this one by itself as soon as that one runs, so it is drained as soon as that one is UP.
   */
  successor?: string;
}

/** What an engine that rolls out its own updates (Swarm) says of its latest one. */
export interface EngineUpdate {
  /** Swarm's UpdateStatus.State: updating, paused, completed, rollback_started, rollback_paused, rollback_completed. */
  state: string;
  message: string;
  /** When it started, in the engine's words: tells one update from the next. */
  startedAt: string;
}

/** An engine that replaces its replicas itself when its template changes (Swarm's rolling update). */
export interface RollingEngine {
  /** The generation of the engine's template and its latest update, as of the last list(); null while it has none. */
  template(): { generation: string | undefined; update: EngineUpdate | null } | null;
  /** Makes `spec` the template, so the engine replaces its replicas; `again` forces an update of the same spec. */
  rollTo(spec: ReplicaSpec, options?: { again?: boolean }): Promise<void>;
}

export interface ReplicaStats {
  /** CPU use as a percentage of the replica's CPU limit (100 = the whole limit). */
  cpuPercent: number;
  memBytes: number;
}

export interface DriverStatus {
  reachable: boolean;
  version: string | null;
  /** What is wrong and what to do, when not reachable. */
  error?: string;
}

/** Everything a driver needs from the settings; passed on every call so changes apply to the next replica. */
export interface ReplicaSpec {
  image: string;
  containerPort: number;
  healthPath: string;
  cpuLimit: number;
  memoryLimitMb: number;
  /** A service from a Compose file: its environment, command, networks and read-only mounts (docker driver only). */
  runtime?: ReplicaRuntime;
}

export interface ReplicaDriver {
  readonly kind: 'docker' | 'process' | 'swarm';
  /** Is the engine there, and which version? Never throws. */
  status(): Promise<DriverStatus>;
  /** Replicas this app created (by label or pid file); never anything else. */
  list(): Promise<ObservedReplica[]>;
  /** Starts one replica and resolves once it runs (not yet once it is healthy). */
  create(spec: ReplicaSpec): Promise<ObservedReplica>;
  /** Stops a replica gracefully (SIGTERM, then SIGKILL after graceS) and removes it. Idempotent. */
  remove(id: string, graceS: number): Promise<void>;
  /** CPU and memory of one replica; throws when the replica's stats cannot be read. */
  stats(id: string, spec: ReplicaSpec): Promise<ReplicaStats>;
  /**
   * For engines that choose scale-in victims themselves (Swarm): the given replicas ordered as the engine will
   * remove them, first to go first. The controller drains exactly those before removing. Absent: newest first.
   */
  removalOrder?(replicas: ObservedReplica[]): string[] | undefined;
  /** Present when the engine rolls out a changed spec itself: the controller then only drains and follows. */
  readonly rolling?: RollingEngine;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

export const MANAGED_LABEL = 'scaledeck.managed';
export const APP_LABEL = 'scaledeck.app';
/** Which data folder's ScaleDeck made it (a hash of the folder), so two instances never claim each other's replicas. */
export const INSTANCE_LABEL = 'scaledeck.instance';

/**
 * Whose a container or service is, by its labels: `ours` (this app and this data folder), `unmarked` (this app, but
 * made before the instance label existed: adopted, and said so, since only an older ScaleDeck of this app made it),
 * or `foreign` (not ScaleDeck's, another app's, or another data folder's: never adopted, never removed). A driver
 * built without an instance (tests, benchmarks) claims every instance of its app.
 */
export type Ownership = 'ours' | 'unmarked' | 'foreign';

export function ownershipOf(labels: Record<string, string> | undefined, app: string, instance: string | undefined): Ownership {
  if (labels?.[MANAGED_LABEL] !== 'true' || labels[APP_LABEL] !== app) return 'foreign';
  const labelled = labels[INSTANCE_LABEL];
  if (labelled === undefined) return 'unmarked';
  return instance === undefined || labelled === instance ? 'ours' : 'foreign';
}

/** Hardening every replica gets: no privilege gained through setuid binaries, and a bound on processes (a fork bomb). */
export const REPLICA_PIDS_LIMIT = 256;
