// Where a service came from when a Compose file made it: its project, its name there, and what its replicas run with.
// Kept in the settings file beside the service, and read back through these schemas (a person may edit the file).
import { z } from 'zod';
import type { ComposePlan, ReplicaRuntime } from './compose-plan-types.js';

const stringMap = z.record(z.string(), z.string());
const words = z.array(z.string());

export const ReplicaRuntimeShape = z.object({
  environment: stringMap,
  command: words.optional(),
  entrypoint: words.optional(),
  workingDir: z.string().optional(),
  user: z.string().optional(),
  networks: z.array(z.object({ name: z.string().min(1), aliases: words })),
  mounts: z.array(z.object({ source: z.string().startsWith('/'), target: z.string().startsWith('/') })),
  labels: stringMap,
  extraHosts: words,
  shmSizeBytes: z.number().int().positive().optional(),
  ulimits: z.array(z.object({ name: z.string(), soft: z.number().int(), hard: z.number().int() })).optional(),
  capAdd: words.optional(),
  capDrop: words.optional(),
  readOnlyRootfs: z.boolean().optional(),
  tmpfs: words.optional(),
  stopSignal: z.string().optional(),
  stopGracePeriodS: z.number().nonnegative().optional(),
}) satisfies z.ZodType<ReplicaRuntime>;

export interface ServiceOrigin {
  project: string;
  /** The service's name in the Compose file (its DNS name inside the project's networks). */
  service: string;
  runtime: ReplicaRuntime;
}

export const ServiceOriginShape = z.object({ project: z.string().min(1), service: z.string().min(1), runtime: ReplicaRuntimeShape }) satisfies z.ZodType<ServiceOrigin>;

/** A plan as it was applied; only shown back (what Compose runs, the command that starts it), so read leniently. */
export const AppliedPlanShape = z.object({
  project: z.string().min(1),
  file: z.string(),
  services: z.array(z.looseObject({
    name: z.string(), scale: z.boolean(), reasons: words, warnings: words, settings: z.record(z.string(), z.unknown()), dependsOn: words, profiles: words,
  })),
  networks: z.array(z.looseObject({ key: z.string(), name: z.string() })),
  composeUp: z.string().nullable(),
});

export const readOrigin = (value: unknown): ServiceOrigin | undefined => {
  const parsed = ServiceOriginShape.safeParse(value);
  return parsed.success ? parsed.data : undefined;
};

export const readAppliedPlan = (value: unknown): ComposePlan | undefined => {
  const parsed = AppliedPlanShape.safeParse(value);
  return parsed.success ? (parsed.data as unknown as ComposePlan) : undefined;
};

/** The ScaleDeck service that runs a Compose service: qualified by its project, since two projects may both have a `web`. */
export const serviceNameFor = (project: string, service: string): string => `${project}.${service}`;
