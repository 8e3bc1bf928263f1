// The normalisation pass: the interpolated file checked for types and turned into one canonical project model.
import path from 'node:path';
import { boolAt, FieldScope, isMap, mapAt, textAt, type YamlMap } from './compose-fields.js';
import type { FileSource, NormalNetwork, NormalProject } from './compose-model.js';
import { normalizeService } from './compose-normalize-service.js';

/** Top-level keys that shape a project but that ScaleDeck does not follow: planning without them would mislead. */
const REFUSED_TOP_LEVEL: Record<string, string> = {
  include: 'is not followed by ScaleDeck: plan the merged file `docker compose config` prints instead',
};
const KNOWN_TOP_LEVEL = new Set(['name', 'services', 'networks', 'volumes', 'secrets', 'configs', 'version']);
const REFUSED_SERVICE_KEYS: Record<string, string> = {
  extends: 'is not followed by ScaleDeck: plan the merged file `docker compose config` prints instead',
};

export interface ProjectNaming {
  projectName?: string;
  projectDir?: string;
}

export function normalizeProject(root: YamlMap, file: string, naming: ProjectNaming): NormalProject {
  const scope = new FieldScope(file);
  const warnings: string[] = [];
  for (const key of Object.keys(root)) {
    const refused = REFUSED_TOP_LEVEL[key];
    if (Object.hasOwn(REFUSED_TOP_LEVEL, key) && refused) scope.fail(key, refused);
    if (!KNOWN_TOP_LEVEL.has(key) && !key.startsWith('x-')) warnings.push(`top-level key "${key}" is not part of the Compose Specification ScaleDeck reads; ignored`);
  }
  if (root.services === undefined || root.services === null) scope.fail('services', 'is missing: a Compose file must define at least one service');
  const services = mapAt(scope, root.services, 'services');
  if (Object.keys(services).length === 0) scope.fail('services', 'is empty: a Compose file must define at least one service');
  return {
    name: projectName(scope, root.name, naming),
    services: Object.entries(services).map(([name, raw]) => {
      const service = scope.forService(name);
      if (!/^[a-zA-Z0-9._-]+$/.test(name)) service.fail('(name)', 'is not a service name Compose accepts: letters, digits, ".", "_" and "-" only');
      for (const key of Object.keys(mapAt(service, raw, `services.${name}`))) {
        const refused = Object.hasOwn(REFUSED_SERVICE_KEYS, key) ? REFUSED_SERVICE_KEYS[key] : undefined;
        if (refused) service.fail(key, refused);
      }
      return normalizeService(service, name, raw);
    }),
    networks: readNetworks(scope, root.networks),
    volumes: new Set(Object.keys(mapAt(scope, root.volumes, 'volumes'))),
    secrets: readFileSources(scope, root.secrets, 'secrets'),
    configs: readFileSources(scope, root.configs, 'configs'),
    warnings,
  };
}

/** The `name:` key, else the caller's name, else the project folder's name; normalised as Compose normalises it. */
function projectName(scope: FieldScope, value: unknown, naming: ProjectNaming): string {
  const given = textAt(scope, value, 'name') || naming.projectName || (naming.projectDir ? path.basename(path.resolve(naming.projectDir)) : '');
  const name = given.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
  if (name === '') {
    scope.fail('name', given === ''
      ? 'is missing: give the file a name: key, or a project name or folder to plan it in'
      : `"${given.slice(0, 60)}" has no letter or digit left once normalised (lowercase a-z, 0-9, "_" and "-")`);
  }
  return name;
}

function readNetworks(scope: FieldScope, value: unknown): Map<string, NormalNetwork> {
  const networks = new Map<string, NormalNetwork>();
  for (const [key, raw] of Object.entries(mapAt(scope, value, 'networks'))) {
    const at = `networks.${key}`;
    const n = mapAt(scope, raw, at);
    // `external: {name: x}` is the older spelling of `external: true` with `name: x`.
    const external = isMap(n.external) ? true : (boolAt(scope, n.external, `${at}.external`) ?? false);
    const legacyName = isMap(n.external) ? textAt(scope, n.external.name, `${at}.external.name`) : undefined;
    networks.set(key, {
      name: textAt(scope, n.name, `${at}.name`) || legacyName || undefined,
      external,
      internal: boolAt(scope, n.internal, `${at}.internal`) ?? false,
      driver: textAt(scope, n.driver, `${at}.driver`) || undefined,
    });
  }
  return networks;
}

function readFileSources(scope: FieldScope, value: unknown, key: 'secrets' | 'configs'): Map<string, FileSource> {
  const sources = new Map<string, FileSource>();
  for (const [name, raw] of Object.entries(mapAt(scope, value, key))) {
    const at = `${key}.${name}`;
    const s = mapAt(scope, raw, at);
    sources.set(name, {
      file: textAt(scope, s.file, `${at}.file`) || undefined,
      environment: textAt(scope, s.environment, `${at}.environment`) || undefined,
      content: textAt(scope, s.content, `${at}.content`),
      external: isMap(s.external) || (boolAt(scope, s.external, `${at}.external`) ?? false),
    });
  }
  return sources;
}
