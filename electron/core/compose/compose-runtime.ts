// What a scaled service's replicas start with beyond ScaleDeck's settings: environment, command, networks, read-only mounts.
import fs from 'node:fs';
import path from 'node:path';
import type { FieldScope } from './compose-fields.js';
import { EnvFileError, parseEnvFile } from './compose-env-file.js';
import type { Lookup } from './compose-interpolate.js';
import { InterpolationError } from './compose-interpolate.js';
import type { FileSource, NormalProject, NormalService } from './compose-model.js';
import { isFile, resolveHostPath } from './compose-paths.js';
import type { ReplicaMount, ReplicaRuntime } from './compose-plan-types.js';

export interface RuntimeContext {
  project: NormalProject;
  projectDir?: string;
  lookup: Lookup;
  /** A network's key -> its engine name. */
  networkName: (key: string) => string;
}

export function replicaRuntime(scope: FieldScope, service: NormalService, ctx: RuntimeContext): { runtime: ReplicaRuntime; warnings: string[] } {
  const warnings: string[] = [];
  const mounts: ReplicaMount[] = [];
  const tmpfs = [...service.tmpfs];
  for (const volume of service.volumes) {
    if (volume.type === 'bind' && volume.source !== undefined) {
      mounts.push({ source: resolveHostPath(scope, ctx.projectDir, volume.source, volume.key), target: volume.target });
    } else if (volume.type === 'tmpfs') {
      tmpfs.push(volume.target);
    } else if (volume.type === 'volume' && volume.source === undefined) {
      warnings.push(`the anonymous volume at ${volume.target} is not carried: each replica keeps what its image has there`);
    } else if (volume.type !== 'volume' && volume.type !== 'bind') {
      warnings.push(`the ${volume.type} mount at ${volume.target} is not carried`);
    } else {
      const what = volume.type === 'bind' ? `writable bind ${volume.source}` : `named volume "${volume.source}"`;
      warnings.push(`the ${what} at ${volume.target} is not mounted in replicas (only read-only binds are carried)`);
    }
  }
  for (const grant of service.secrets) {
    const target = grant.target?.startsWith('/') ? grant.target : `/run/secrets/${grant.target ?? grant.source}`;
    addFileMount(scope, ctx, mounts, warnings, 'secret', grant.source, ctx.project.secrets.get(grant.source), target);
  }
  for (const grant of service.configs) {
    const target = grant.target === undefined ? `/${grant.source}` : grant.target.startsWith('/') ? grant.target : `/${grant.target}`;
    addFileMount(scope, ctx, mounts, warnings, 'config', grant.source, ctx.project.configs.get(grant.source), target);
  }
  const networks = service.networks ?? new Map([['default', { aliases: [] }]]);
  return {
    runtime: {
      environment: environmentOf(scope, service, ctx),
      command: service.command,
      entrypoint: service.entrypoint,
      workingDir: service.workingDir,
      user: service.user,
      networks: [...networks].map(([key, { aliases }]) => ({ name: ctx.networkName(key), aliases })),
      mounts,
      labels: service.labels,
      extraHosts: service.extraHosts,
      shmSizeBytes: service.shmSizeBytes,
      ulimits: service.ulimits,
      capAdd: service.capAdd.length > 0 ? service.capAdd : undefined,
      capDrop: service.capDrop.length > 0 ? service.capDrop : undefined,
      readOnlyRootfs: service.readOnly,
      tmpfs: tmpfs.length > 0 ? tmpfs : undefined,
      stopSignal: service.stopSignal,
      stopGracePeriodS: service.stopGracePeriodS,
    },
    warnings,
  };
}

function addFileMount(scope: FieldScope, ctx: RuntimeContext, mounts: ReplicaMount[], warnings: string[], kind: string, name: string, source: FileSource | undefined, target: string): void {
  if (source?.file !== undefined) {
    mounts.push({ source: resolveHostPath(scope, ctx.projectDir, source.file, `${kind}s.${name}.file`), target });
    return;
  }
  const from = source?.external ? 'is external' : source?.environment !== undefined ? 'comes from an environment variable' : 'is written inline';
  warnings.push(`the ${kind} "${name}" ${from}; only ${kind}s read from a file: are carried, so ${target} will be missing in replicas`);
}

/** `env_file` contents in order, then `environment` over them; a bare `KEY` takes its value from the variables, else is unset. */
function environmentOf(scope: FieldScope, service: NormalService, ctx: RuntimeContext): Record<string, string> {
  const env = new Map<string, string>();
  for (const envFile of service.envFiles) {
    const file = resolveHostPath(scope, ctx.projectDir, envFile.path, envFile.key);
    if (!isFile(file)) continue;
    try {
      for (const [k, v] of Object.entries(parseEnvFile(fs.readFileSync(file, 'utf8'), ctx.lookup, envFile.raw ? 'raw' : 'compose'))) env.set(k, v);
    } catch (e) {
      if (e instanceof EnvFileError || e instanceof InterpolationError) scope.fail(envFile.key, `${path.basename(file)}: ${e.message}`);
      throw e;
    }
  }
  for (const [k, v] of Object.entries(service.environment)) {
    const value = v ?? ctx.lookup(k);
    if (value === undefined) env.delete(k);
    else env.set(k, value);
  }
  return Object.fromEntries(env);
}
