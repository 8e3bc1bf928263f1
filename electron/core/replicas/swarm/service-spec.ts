// The Swarm service ScaleDeck asks for: its labels, CPU/memory limits, the image by ID, one host-mode port per task,
// and Swarm's own rolling update (one task at a time, new first, rolled back on failure).
import { createHash } from 'node:crypto';
import type Dockerode from 'dockerode';
import { CONTAINER_PORT_LABEL, DEFAULT_STOP_TIMEOUT_S } from '../docker-driver.js';
import { GENERATION_LABEL, HEALTH_PATH_LABEL, generationOf } from '../generation.js';
import { APP_LABEL, INSTANCE_LABEL, MANAGED_LABEL, REPLICA_PIDS_LIMIT, type ReplicaSpec } from '../replica-driver.js';

/** The image name from the settings; the task template itself names the image by ID. */
export const IMAGE_LABEL = 'scaledeck.image';
/** A digest of everything that shapes a task, so a changed setting is noticed without diffing Docker's normalised spec. */
export const TASK_SPEC_LABEL = 'scaledeck.task-spec';
/**
 * Swarm replaces a dead task after this delay. It is also the window in which a removal lowers the replica count
 * after stopping the drained task itself: the stopped task's not-yet-started replacement is what Swarm then drops.
 */
export const RESTART_DELAY_S = 3;
/** How long Swarm watches a replaced task for a failure before it counts the step as done. */
export const UPDATE_MONITOR_S = 5;
/**
 * The health path a task is checked on, in its environment: an image's own HEALTHCHECK can ask it (the sample api's
 * does), so Swarm's idea of healthy, which gates its rolling update, is the same as HAProxy's.
 */
export const HEALTH_PATH_ENV = 'SCALEDECK_HEALTH_PATH';
/** Ignored by default, and given no other meaning by common servers (SIGWINCH is nginx's and Apache's graceful stop). */
export const SWARM_STOP_SIGNAL = 'SIGURG';

/**
 * Swarm's rolling update as ScaleDeck wants it, for a change of the task template and for the way back alike:
 * one task at a time; the new one first, so the count never drops (the old one is stopped only once the new one
 * runs, or is healthy when the image has a HEALTHCHECK); the first failed task rolls the update back.
 */
export function rollingUpdateConfig(): { UpdateConfig: Dockerode.ServiceSpec['UpdateConfig']; RollbackConfig: Dockerode.ServiceSpec['RollbackConfig'] } {
  const step = { Parallelism: 1, Order: 'start-first', Monitor: UPDATE_MONITOR_S * 1e9, MaxFailureRatio: 0 };
  // A rollback that fails too stops where it is (paused) rather than rolling forward again.
  return { UpdateConfig: { ...step, FailureAction: 'rollback' }, RollbackConfig: { ...step, FailureAction: 'pause' } };
}

export interface ServiceIdentity {
  app: string;
  /** The data folder's hash (INSTANCE_LABEL), on the service and its tasks' containers. */
  instance?: string;
  service: string;
  /** `sha256:...` of the local image named by spec.image. */
  imageId: string;
  stopGraceS?: number;
}

export type SwarmServiceSpec = Dockerode.ServiceSpec & { Name: string; Labels: Record<string, string> };

export function taskSpecDigest(spec: ReplicaSpec, imageId: string): string {
  const shape = [imageId, spec.containerPort, spec.cpuLimit, spec.memoryLimitMb, spec.healthPath, SWARM_STOP_SIGNAL].join('|');
  return createHash('sha256').update(shape).digest('hex').slice(0, 16);
}

/** The create (and update) request for the service; pure, so labels, limits and the port can be checked without Docker. */
export function serviceSpec(spec: ReplicaSpec, identity: ServiceIdentity): SwarmServiceSpec {
  const ours = {
    [MANAGED_LABEL]: 'true', [APP_LABEL]: identity.app, [CONTAINER_PORT_LABEL]: String(spec.containerPort),
    ...(identity.instance ? { [INSTANCE_LABEL]: identity.instance } : {}),
  };
  // Each task carries what it is, as the docker driver's containers do: the replica table shows its generation and
  // HAProxy checks it on its own health path while a rolling update mixes two generations.
  const generation = { [GENERATION_LABEL]: generationOf(spec), [HEALTH_PATH_LABEL]: spec.healthPath, [IMAGE_LABEL]: spec.image };
  return {
    Name: identity.service,
    Labels: { ...ours, ...generation, [TASK_SPEC_LABEL]: taskSpecDigest(spec, identity.imageId) },
    TaskTemplate: {
      ContainerSpec: {
        // By ID, not by name: a node then never asks a registry for the image (for a tag it tries a pull before
        // every task start), and every task runs the same image even if the tag is rebuilt meanwhile.
        Image: identity.imageId,
        Labels: { ...ours, ...generation },
        // The sample api listens on PORT, so a changed containerPort setting reaches it.
        Env: [`PORT=${spec.containerPort}`, `${HEALTH_PATH_ENV}=${spec.healthPath}`],
        // Swarm stops an old task the moment its start-first replacement runs, and a replacement on another node has no
        // port ScaleDeck can read before then. A signal the process ignores makes Swarm's stop a wait of the grace
        // period instead, in which ScaleDeck puts the replacement in HAProxy and drains the old task; Swarm's SIGKILL
        // then finds it idle. ScaleDeck's own stops send SIGTERM (see SwarmDriver.stopTask).
        StopSignal: SWARM_STOP_SIGNAL,
        StopGracePeriod: (identity.stopGraceS ?? DEFAULT_STOP_TIMEOUT_S) * 1e9,
      },
      // Pids as the docker driver's PidsLimit; no-new-privileges has no Swarm field before Engine API 1.46.
      Resources: { Limits: { NanoCPUs: Math.round(spec.cpuLimit * 1e9), MemoryBytes: Math.round(spec.memoryLimitMb * 2 ** 20), Pids: REPLICA_PIDS_LIMIT } },
      // `any`, not `none` or `on-failure`: Swarm counts a stopped task that must not restart as a live replica until
      // it is reaped, so a scale-up right after a scale-in would start too few tasks and never catch up.
      RestartPolicy: { Condition: 'any', Delay: RESTART_DELAY_S * 1e9, MaxAttempts: 0 },
    },
    // Tasks start only when the controller raises the count, one per replica it asked for.
    Mode: { Replicated: { Replicas: 0 } },
    ...rollingUpdateConfig(),
    // Host mode without a published port: each task gets its own free port on its node, which HAProxy targets
    // directly (the ingress routing mesh would hide which task answers and defeat the drain).
    EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: spec.containerPort, PublishMode: 'host' }] },
  };
}
