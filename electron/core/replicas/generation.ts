// A replica's generation: a short hash of what it is (image, port, health path, limits), so a rollout can tell old from new.
import { createHash } from 'node:crypto';
import type { ReplicaSpec } from './replica-driver.js';

/** Container label (and pid-file field) carrying the generation; replicas made before it existed have none. */
export const GENERATION_LABEL = 'scaledeck.generation';
/** The health path a replica was made for, so HAProxy keeps checking it there while the setting moves on. */
export const HEALTH_PATH_LABEL = 'scaledeck.health-path';

export const SPEC_FIELDS = ['image', 'containerPort', 'healthPath', 'cpuLimit', 'memoryLimitMb'] as const satisfies readonly (keyof ReplicaSpec)[];

export function specOf(settings: ReplicaSpec): ReplicaSpec {
  const { image, containerPort, healthPath, cpuLimit, memoryLimitMb } = settings;
  return { image, containerPort, healthPath, cpuLimit, memoryLimitMb };
}

/** Eight hex digits: equal specs give equal generations on every machine and after every restart. */
export function generationOf(spec: ReplicaSpec): string {
  const canonical = JSON.stringify(SPEC_FIELDS.map((field) => spec[field]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 8);
}

/** What a person reads in the replica table: the image tag and the short id, e.g. "rollout-test 3fa2c1b0". */
export function describeGeneration(image: string | undefined, generation: string | undefined): string {
  if (!generation) return 'unknown';
  const tag = image?.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : image;
  return tag && !tag.includes('/') ? `${tag} ${generation}` : generation;
}
