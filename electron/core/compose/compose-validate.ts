// The validation pass: what Compose itself refuses before starting anything (references to nothing, missing files).
import { FieldScope } from './compose-fields.js';
import type { FileSource, NormalProject, NormalService } from './compose-model.js';
import { isDirectory, isFile, isRemoteContext, resolveHostPath } from './compose-paths.js';

export function validateProject(project: NormalProject, file: string, projectDir: string | undefined, hostFiles = true): void {
  const names = new Set(project.services.map((s) => s.name));
  const top = new FieldScope(file, undefined, hostFiles);
  for (const service of project.services) {
    const scope = top.forService(service.name);
    if (service.image === undefined && service.build === undefined) scope.fail('image', 'is missing, and so is build: a service needs one of them');
    checkReferences(scope, project, service, names);
    if (service.build && !isRemoteContext(service.build.context)) {
      const context = resolveHostPath(scope, projectDir, service.build.context, 'build.context');
      if (!isDirectory(context)) scope.fail('build.context', `"${service.build.context}" is not a folder (looked at ${context})`);
    }
    for (const envFile of service.envFiles) {
      const found = resolveHostPath(scope, projectDir, envFile.path, envFile.key);
      if (envFile.required && !isFile(found)) scope.fail(envFile.key, `"${envFile.path}" does not exist (looked at ${found}); create it or mark it required: false`);
    }
    checkFileSources(top, project.secrets, service.secrets.map((g) => g.source), 'secrets', projectDir);
    checkFileSources(top, project.configs, service.configs.map((g) => g.source), 'configs', projectDir);
  }
}

function checkReferences(scope: FieldScope, project: NormalProject, service: NormalService, names: Set<string>): void {
  service.dependsOn.forEach((dependency) => {
    if (!names.has(dependency)) scope.fail(`depends_on.${dependency}`, `names a service "${dependency}" the file does not define`);
  });
  if (service.networkMode !== undefined && service.networks !== undefined) {
    scope.fail('network_mode', 'cannot be set together with networks (Compose refuses both)');
  }
  const shared = /^service:(.*)$/.exec(service.networkMode ?? '');
  if (shared && !names.has(shared[1] as string)) scope.fail('network_mode', `names a service "${shared[1]}" the file does not define`);
  for (const network of service.networks?.keys() ?? []) {
    if (network !== 'default' && !project.networks.has(network)) scope.fail(`networks.${network}`, `names a network "${network}" the file's top-level networks: does not define`);
  }
  for (const volume of service.volumes) {
    if (volume.type === 'volume' && volume.source !== undefined && !project.volumes.has(volume.source)) {
      scope.fail(volume.key, `names a volume "${volume.source}" the file's top-level volumes: does not define`);
    }
  }
  for (const [kind, grants, defined] of [['secrets', service.secrets, project.secrets], ['configs', service.configs, project.configs]] as const) {
    for (const grant of grants) {
      if (!defined.has(grant.source)) scope.fail(grant.key, `names a ${kind.slice(0, -1)} "${grant.source}" the file's top-level ${kind}: does not define`);
    }
  }
}

/** A secret or config read from a file: the file must exist when a service is granted it. */
function checkFileSources(scope: FieldScope, defined: Map<string, FileSource>, used: string[], kind: string, projectDir: string | undefined): void {
  for (const name of used) {
    const source = defined.get(name);
    if (source?.file === undefined) continue;
    const key = `${kind}.${name}.file`;
    const found = resolveHostPath(scope, projectDir, source.file, key);
    if (!isFile(found) && !isDirectory(found)) scope.fail(key, `"${source.file}" does not exist (looked at ${found})`);
  }
}
