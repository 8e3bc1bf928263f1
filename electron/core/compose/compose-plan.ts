// The planner: a Compose file read through its passes (load, interpolate, normalise, validate) into a ComposePlan.
import fs from 'node:fs';
import path from 'node:path';
import { MAX_SERVICES } from '../../contract/settings-schema.js';
import { FieldScope } from './compose-fields.js';
import { EnvFileError, parseEnvFile } from './compose-env-file.js';
import { InterpolationAt, InterpolationError, interpolateTree, type Lookup, type UnsetUse } from './compose-interpolate.js';
import { loadCompose } from './compose-load.js';
import type { NormalProject, NormalService } from './compose-model.js';
import { normalizeProject } from './compose-normalize.js';
import { isFile, isRemoteContext, resolveHostPath } from './compose-paths.js';
import { ComposeFileError, type ComposeNetwork, type ComposePlan, type ComposeSource, type PlannedService } from './compose-plan-types.js';
import { replicaRuntime } from './compose-runtime.js';
import { decideScale } from './compose-scale-decision.js';
import { notCarriedWarnings } from './compose-carried-keys.js';
import { serviceSettings } from './compose-settings.js';
import { validateProject } from './compose-validate.js';

export function planCompose(source: ComposeSource): ComposePlan {
  const file = source.fileName ?? 'compose.yaml';
  const loaded = loadCompose(source.yaml, file);
  const lookup = variables(source, file);
  let interpolated;
  try {
    interpolated = interpolateTree(loaded, lookup);
  } catch (e) {
    if (e instanceof InterpolationAt) throw errorAt(file, e.path, e.message);
    throw e;
  }
  const project = normalizeProject(interpolated.root, file, { projectName: source.projectName, projectDir: source.projectDir });
  const hostFiles = source.hostFiles !== false;
  validateProject(project, file, source.projectDir, hostFiles);
  return planProject(project, file, source.projectDir, lookup, interpolated.unset, hostFiles);
}

function planProject(project: NormalProject, file: string, projectDir: string | undefined, lookup: Lookup, unset: UnsetUse[], hostFiles: boolean): ComposePlan {
  const networkName = (key: string) => {
    const n = project.networks.get(key);
    return n?.name ?? (n?.external ? key : `${project.name}_${key}`);
  };
  const unsetWarnings = unsetByService(unset);
  const services = project.services.map((service): PlannedService => {
    const scope = new FieldScope(file, service.name, hostFiles);
    const decision = decideScale(scope, service);
    const { settings, warnings: settingWarnings } = serviceSettings(scope, service, decision);
    const planned = decision.scale ? replicaRuntime(scope, service, { project, projectDir, lookup, networkName }) : undefined;
    const warnings = [
      ...(unsetWarnings.get(service.name) ?? []),
      ...service.warnings,
      ...decision.warnings,
      ...settingWarnings,
      ...(planned ? [...planned.warnings, ...notCarriedWarnings(service)] : []),
    ];
    return {
      name: service.name,
      scale: decision.scale,
      reasons: decision.reasons,
      warnings,
      image: service.image,
      build: service.build && buildOf(scope, service, projectDir),
      containerPort: decision.containerPort,
      frontend: decision.scale ? frontendOf(settings) : undefined,
      replicas: service.replicas,
      settings,
      runtime: planned?.runtime,
      dependsOn: service.dependsOn,
      profiles: service.profiles,
    };
  });
  const left = services.filter((s) => !s.scale).map((s) => s.name);
  const scaled = services.length - left.length;
  const tooMany = scaled > MAX_SERVICES ? [`${scaled} services would be scaled, but ScaleDeck runs ${MAX_SERVICES} at most: set x-scaledeck.scale: false on the others`] : [];
  return {
    project: project.name,
    file,
    services,
    networks: usedNetworks(project, networkName),
    composeUp: left.length === 0 ? null : ['docker', 'compose', '-f', file, '-p', project.name, 'up', '-d', ...left].map(shellQuote).join(' '),
    warnings: [...project.warnings, ...(unsetWarnings.get(undefined) ?? []), ...tooMany],
  };
}

/** `source.env` over the project's `.env` file (optional; read when a project folder is given). */
function variables(source: ComposeSource, file: string): Lookup {
  const outer = source.env ?? {};
  const fromOuter: Lookup = (name) => (Object.hasOwn(outer, name) ? outer[name] : undefined);
  if (source.projectDir === undefined) return fromOuter;
  const dotEnv = path.join(source.projectDir, '.env');
  if (!isFile(dotEnv)) return fromOuter;
  let values: Record<string, string>;
  try {
    values = parseEnvFile(fs.readFileSync(dotEnv, 'utf8'), fromOuter);
  } catch (e) {
    if (e instanceof EnvFileError || e instanceof InterpolationError) throw new ComposeFileError(file, '.env', e.message);
    throw e;
  }
  return (name) => fromOuter(name) ?? (Object.hasOwn(values, name) ? values[name] : undefined);
}

function buildOf(scope: FieldScope, service: NormalService, projectDir: string | undefined): PlannedService['build'] {
  const build = service.build;
  if (build === undefined) return undefined;
  const context = isRemoteContext(build.context) ? build.context : resolveHostPath(scope, projectDir, build.context, 'build.context');
  return { context, dockerfile: build.dockerfile, target: build.target, args: build.args };
}

/** The frontend the settings hold: the published port's, or what x-scaledeck sets over it. */
function frontendOf(settings: Record<string, unknown>): PlannedService['frontend'] {
  if (typeof settings.frontendPort !== 'number') return undefined;
  return { host: typeof settings.frontendHost === 'string' ? settings.frontendHost : '127.0.0.1', port: settings.frontendPort };
}

function usedNetworks(project: NormalProject, networkName: (key: string) => string): ComposeNetwork[] {
  const keys = new Set<string>();
  for (const service of project.services) {
    if (service.networkMode !== undefined) continue;
    for (const key of service.networks?.keys() ?? ['default']) keys.add(key);
  }
  return [...keys].map((key) => {
    const n = project.networks.get(key);
    return { key, name: networkName(key), external: n?.external ?? false, internal: n?.internal ?? false, driver: n?.driver };
  });
}

/** Unset variables, by the service they were used in (undefined: outside any service). */
function unsetByService(unset: UnsetUse[]): Map<string | undefined, string[]> {
  const out = new Map<string | undefined, string[]>();
  for (const use of unset) {
    const service = use.path[0] === 'services' ? use.path[1] : undefined;
    const key = (use.path[0] === 'services' ? use.path.slice(2) : use.path).join('.');
    const message = `variable ${use.name} is not set, so ${key} has an empty string in its place`;
    const list = out.get(service) ?? [];
    if (!list.includes(message)) list.push(message);
    out.set(service, list);
  }
  return out;
}

function errorAt(file: string, keyPath: string[], problem: string): ComposeFileError {
  if (keyPath[0] === 'services' && keyPath.length > 2) return new ComposeFileError(file, keyPath.slice(2).join('.'), problem, keyPath[1]);
  return new ComposeFileError(file, keyPath.join('.') || '(file)', problem);
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
