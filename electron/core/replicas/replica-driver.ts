// The one interface every replica driver (docker, process, swarm) implements for the controller.

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
  /** Swarm only: the task's slot number, which decides which tasks Swarm removes first. */
  slot?: number;
  /** Hash of the spec it was made from (generation.ts); absent for replicas made before generations existed. */
  generation?: string;
  /** The image it runs, for showing its generation. */
  image?: string;
  /** The health path it was made for; HAProxy checks it there until it is replaced. */
  healthPath?: string;
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
  /** Releases connections and timers. */
  close(): Promise<void>;
}

export const MANAGED_LABEL = 'scaledeck.managed';
export const APP_LABEL = 'scaledeck.app';
/** Which data folder's ScaleDeck made it (a hash of the folder), so two instances never claim each other's replicas. */
export const INSTANCE_LABEL = 'scaledeck.instance';
