// A replica's generation: a short hash of what it is (image, port, health path, limits), so a rollout can tell old from new.
import { createHash } from 'node:crypto';
import type { ReplicaSpec } from './replica-driver.js';
import type { ReplicaRuntime } from '../compose/compose-plan-types.js';

/** Container label (and pid-file field) carrying the generation; replicas made before it existed have none. */
export const GENERATION_LABEL = 'scaledeck.generation';
/** The health path a replica was made for, so HAProxy keeps checking it there while the setting moves on. */
export const HEALTH_PATH_LABEL = 'scaledeck.health-path';

export const SPEC_FIELDS = ['image', 'containerPort', 'healthPath', 'cpuLimit', 'memoryLimitMb'] as const satisfies readonly (keyof ReplicaSpec)[];

/** A replica's spec from its service's settings, and for a service from a Compose file, what that file gives it. */
export function specOf(settings: ReplicaSpec, runtime?: ReplicaRuntime): ReplicaSpec {
  const { image, containerPort, healthPath, cpuLimit, memoryLimitMb } = settings;
  return { image, containerPort, healthPath, cpuLimit, memoryLimitMb, ...(runtime ? { runtime } : {}) };
}

/** JSON with every object's keys sorted, so equal runtimes hash equal whatever order they were built in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Eight hex digits: equal specs give equal generations on every machine and after every restart. A Compose runtime
 * counts only when there is one, so a replica made before runtimes existed keeps its generation.
 */
export function generationOf(spec: ReplicaSpec): string {
  const fields: unknown[] = SPEC_FIELDS.map((field) => spec[field]);
  const canonical = spec.runtime ? `${JSON.stringify(fields)}${canonicalJson(spec.runtime)}` : JSON.stringify(fields);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 8);
}

/** What a person reads in the replica table: the image tag and the short id, e.g. "rollout-test 3fa2c1b0". */
export function describeGeneration(image: string | undefined, generation: string | undefined): string {
  if (!generation) return 'unknown';
  const tag = image?.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : image;
  return tag && !tag.includes('/') ? `${tag} ${generation}` : generation;
}
