// Normalisation of one service: every key the planner reads, from whichever form the file uses, into its canonical shape.
import { boolAt, describe, FieldScope, integerAt, isMap, keyValuesAt, listAt, mapAt, stringListAt, textAt } from './compose-fields.js';
import type { FileGrant, NormalService } from './compose-model.js';
import { ComposeFileError } from './compose-plan-types.js';
import { readExpose, readPorts } from './compose-ports.js';
import { shellWords, ShellWordsError } from './compose-shell-words.js';
import { parseBytes, parseDurationS } from './compose-units.js';
import { readVolumes } from './compose-volumes.js';

const DEPENDENCY_CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'];

export function normalizeService(scope: FieldScope, name: string, raw: unknown): NormalService {
  const s = mapAt(scope, raw, `services.${name}`);
  const limits = mapAt(scope, mapAt(scope, mapAt(scope, s.deploy, 'deploy').resources, 'deploy.resources').limits, 'deploy.resources.limits');
  const deploy = mapAt(scope, s.deploy, 'deploy');
  const replicas = integerAt(scope, deploy.replicas, 'deploy.replicas', 0, 1000) ?? integerAt(scope, s.scale, 'scale', 0, 1000);
  const warnings: string[] = [];
  // Keys that decide neither whether nor how a service scales never fail the plan: a bad one is dropped, with a warning.
  const lenient = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (e) {
      if (!(e instanceof ComposeFileError)) throw e;
      warnings.push(`${e.key}: ${e.problem}; ignored`);
      return fallback;
    }
  };
  return {
    name,
    keys: Object.keys(s),
    deployKeys: Object.keys(deploy),
    image: textAt(scope, s.image, 'image') || undefined,
    build: readBuild(scope, s.build),
    command: commandAt(scope, s.command, 'command'),
    entrypoint: commandAt(scope, s.entrypoint, 'entrypoint'),
    environment: keyValuesAt(scope, s.environment, 'environment'),
    envFiles: readEnvFiles(scope, s.env_file),
    ports: readPorts(scope, s.ports),
    expose: readExpose(scope, s.expose),
    healthTest: readHealthTest(scope, s.healthcheck),
    replicas,
    cpus: readCpus(scope, limits.cpus ?? s.cpus, limits.cpus === undefined ? 'cpus' : 'deploy.resources.limits.cpus'),
    memoryBytes: bytesAt(scope, limits.memory ?? s.mem_limit, limits.memory === undefined ? 'mem_limit' : 'deploy.resources.limits.memory'),
    secrets: readGrants(scope, s.secrets, 'secrets'),
    configs: readGrants(scope, s.configs, 'configs'),
    volumes: readVolumes(scope, s.volumes),
    volumesFrom: stringListAt(scope, s.volumes_from, 'volumes_from').map((entry) =>
      entry.startsWith('container:') ? `container ${entry.split(':')[1]}` : (entry.split(':')[0] as string)),
    networks: readServiceNetworks(scope, s.networks),
    networkMode: textAt(scope, s.network_mode, 'network_mode') || undefined,
    dependsOn: readDependsOn(scope, s.depends_on),
    profiles: lenient(() => stringListAt(scope, s.profiles, 'profiles'), []),
    containerName: lenient(() => textAt(scope, s.container_name, 'container_name') || undefined, undefined),
    workingDir: lenient(() => textAt(scope, s.working_dir, 'working_dir') || undefined, undefined),
    user: lenient(() => textAt(scope, s.user, 'user') || undefined, undefined),
    labels: lenient(() => Object.fromEntries(Object.entries(keyValuesAt(scope, s.labels, 'labels')).map(([k, v]) => [k, v ?? ''])), {}),
    extraHosts: lenient(() => readExtraHosts(scope, s.extra_hosts), []),
    shmSizeBytes: lenient(() => bytesAt(scope, s.shm_size, 'shm_size'), undefined),
    ulimits: lenient(() => readUlimits(scope, s.ulimits), undefined),
    capAdd: lenient(() => stringListAt(scope, s.cap_add, 'cap_add'), []),
    capDrop: lenient(() => stringListAt(scope, s.cap_drop, 'cap_drop'), []),
    readOnly: lenient(() => boolAt(scope, s.read_only, 'read_only'), undefined),
    tmpfs: lenient(() => stringListAt(scope, s.tmpfs, 'tmpfs'), []),
    stopSignal: lenient(() => textAt(scope, s.stop_signal, 'stop_signal') || undefined, undefined),
    stopGracePeriodS: lenient(() => durationAt(scope, s.stop_grace_period, 'stop_grace_period'), undefined),
    warnings,
    xScaledeck: mapAt(scope, s['x-scaledeck'], 'x-scaledeck'),
  };
}

function readBuild(scope: FieldScope, value: unknown): NormalService['build'] {
  if (value === null || value === undefined) return undefined;
  if (!isMap(value)) return { context: textAt(scope, value, 'build') ?? '.', args: {} };
  const args = keyValuesAt(scope, value.args, 'build.args');
  return {
    context: textAt(scope, value.context, 'build.context') || '.',
    dockerfile: textAt(scope, value.dockerfile, 'build.dockerfile') || undefined,
    target: textAt(scope, value.target, 'build.target') || undefined,
    // An argument without a value is left to the builder's environment, which a plan does not have.
    args: Object.fromEntries(Object.entries(args).filter((entry): entry is [string, string] => entry[1] !== null)),
  };
}

/** A string is split into words as Compose splits it; a list is taken as it is; null means the image's own. */
function commandAt(scope: FieldScope, value: unknown, key: string): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((item, i) => textAt(scope, item, `${key}.${i}`) ?? '');
  const text = textAt(scope, value, key) ?? '';
  try {
    return shellWords(text);
  } catch (e) {
    return scope.fail(key, e instanceof ShellWordsError ? e.message : String(e));
  }
}

function readEnvFiles(scope: FieldScope, value: unknown): NormalService['envFiles'] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    const key = Array.isArray(value) ? `env_file.${i}` : 'env_file';
    if (!isMap(item)) return { path: textAt(scope, item, key) ?? '', required: true, raw: false, key };
    const path = textAt(scope, item.path, `${key}.path`);
    if (!path) scope.fail(`${key}.path`, 'is required: the env file to read');
    const format = textAt(scope, item.format, `${key}.format`);
    if (format !== undefined && format !== 'raw') scope.fail(`${key}.format`, `must be raw, or left out for Compose's own format; not "${format}"`);
    return { path, required: boolAt(scope, item.required, `${key}.required`) ?? true, raw: format === 'raw', key };
  });
}

function readHealthTest(scope: FieldScope, value: unknown): string[] | undefined {
  const check = mapAt(scope, value, 'healthcheck');
  if (boolAt(scope, check.disable, 'healthcheck.disable')) return undefined;
  if (check.test === null || check.test === undefined) return undefined;
  if (!Array.isArray(check.test)) return ['CMD-SHELL', textAt(scope, check.test, 'healthcheck.test') ?? ''];
  const test = check.test.map((item, i) => textAt(scope, item, `healthcheck.test.${i}`) ?? '');
  if (!['CMD', 'CMD-SHELL', 'NONE'].includes(test[0] ?? '')) scope.fail('healthcheck.test', 'must start with "CMD", "CMD-SHELL" or "NONE" when it is a list');
  return test[0] === 'NONE' ? undefined : test;
}

function readCpus(scope: FieldScope, value: unknown, key: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  const cpus = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!(cpus >= 0)) scope.fail(key, `must be a number of CPUs such as 0.5, not ${describe(value)}`);
  return cpus;
}

function bytesAt(scope: FieldScope, value: unknown, key: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  const bytes = parseBytes(value);
  if (bytes === undefined) scope.fail(key, `must be a size such as 512m or 1g, not ${describe(value)}`);
  return bytes;
}

function durationAt(scope: FieldScope, value: unknown, key: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  const seconds = parseDurationS(value);
  if (seconds === undefined) scope.fail(key, `must be a duration such as 10s or 1m30s, not ${describe(value)}`);
  return seconds;
}

function readGrants(scope: FieldScope, value: unknown, key: 'secrets' | 'configs'): FileGrant[] {
  return listAt(scope, value, key).map((item, i) => {
    const at = `${key}.${i}`;
    if (!isMap(item)) return { source: textAt(scope, item, at) ?? '', key: at };
    const source = textAt(scope, item.source, `${at}.source`);
    if (!source) scope.fail(`${at}.source`, `is required: the name of a top-level ${key.slice(0, -1)}`);
    return { source, target: textAt(scope, item.target, `${at}.target`) || undefined, key: at };
  });
}

function readServiceNetworks(scope: FieldScope, value: unknown): NormalService['networks'] {
  if (value === null || value === undefined) return undefined;
  const networks = new Map<string, { aliases: string[] }>();
  if (Array.isArray(value)) {
    value.forEach((item, i) => networks.set(textAt(scope, item, `networks.${i}`) ?? '', { aliases: [] }));
    return networks;
  }
  for (const [name, options] of Object.entries(mapAt(scope, value, 'networks'))) {
    const aliases = stringListAt(scope, mapAt(scope, options, `networks.${name}`).aliases, `networks.${name}.aliases`);
    networks.set(name, { aliases });
  }
  return networks;
}

function readDependsOn(scope: FieldScope, value: unknown): string[] {
  if (Array.isArray(value)) return value.map((item, i) => textAt(scope, item, `depends_on.${i}`) ?? '');
  return Object.entries(mapAt(scope, value, 'depends_on')).map(([name, options]) => {
    const condition = textAt(scope, mapAt(scope, options, `depends_on.${name}`).condition, `depends_on.${name}.condition`);
    if (condition !== undefined && !DEPENDENCY_CONDITIONS.includes(condition)) {
      scope.fail(`depends_on.${name}.condition`, `must be one of ${DEPENDENCY_CONDITIONS.join(', ')}, not "${condition}"`);
    }
    return name;
  });
}

/** Docker's `host:ip` form, from `host=ip`, `host:ip` or a mapping (whose value may list several IPs). */
function readExtraHosts(scope: FieldScope, value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      const entry = textAt(scope, item, `extra_hosts.${i}`) ?? '';
      const eq = entry.indexOf('=');
      return eq < 0 ? entry : `${entry.slice(0, eq)}:${entry.slice(eq + 1).replace(/^\[(.*)\]$/, '$1')}`;
    });
  }
  return Object.entries(mapAt(scope, value, 'extra_hosts')).flatMap(([host, ips]) =>
    stringListAt(scope, ips, `extra_hosts.${host}`).map((ip) => `${host}:${ip.replace(/^\[(.*)\]$/, '$1')}`));
}

function readUlimits(scope: FieldScope, value: unknown): NormalService['ulimits'] {
  if (value === null || value === undefined) return undefined;
  return Object.entries(mapAt(scope, value, 'ulimits')).map(([name, limit]) => {
    const key = `ulimits.${name}`;
    if (!isMap(limit)) {
      const both = integerAt(scope, limit, key, -1, Number.MAX_SAFE_INTEGER);
      if (both === undefined) scope.fail(key, 'must be a number, or soft and hard');
      return { name, soft: both, hard: both };
    }
    const soft = integerAt(scope, limit.soft, `${key}.soft`, -1, Number.MAX_SAFE_INTEGER);
    const hard = integerAt(scope, limit.hard, `${key}.hard`, -1, Number.MAX_SAFE_INTEGER);
    if (soft === undefined || hard === undefined) scope.fail(key, 'must set both soft and hard, or be one number');
    return { name, soft, hard };
  });
}
