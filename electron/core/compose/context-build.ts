// Builds a Compose service's image from its `build:` (context, dockerfile, target, args) in the Docker engine, as
// `docker compose build` would, tagged `<project>-<service>`; the context honours a simple `.dockerignore`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { followDockerProgress } from '../image/docker-images.js';
import { tarStream, type TarEntry } from '../image/tar-archive.js';
import type { PlannedBuild } from './compose-plan-types.js';

/** The tag Compose gives an image built for a service that names none. */
export const builtImageTag = (project: string, service: string): string => `${project}-${service}:latest`;

/** `.dockerignore` lines as tests on a context-relative path: exact names, `dir/` prefixes and `*` globs. */
function ignoredBy(context: string): (relative: string) => boolean {
  let lines: string[] = [];
  try {
    lines = readFileSync(path.join(context, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
  } catch {
    return () => false;
  }
  const globToRegex = (glob: string) => glob.split('**').map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('.*');
  const patterns = lines.map((line) => new RegExp(`^${globToRegex(line.replace(/^\/+|\/+$/g, ''))}(/.*)?$`));
  return (relative) => patterns.some((pattern) => pattern.test(relative));
}

function contextEntries(context: string): TarEntry[] {
  const ignored = ignoredBy(context);
  const entries: TarEntry[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(context, relative)).sort()) {
      const child = relative ? `${relative}/${name}` : name;
      if (ignored(child) && name !== 'Dockerfile') continue;
      const info = statSync(path.join(context, child));
      if (info.isDirectory()) {
        entries.push({ type: 'directory', path: child, mode: info.mode & 0o7777 });
        walk(child);
      } else if (info.isFile()) {
        entries.push({ type: 'host-file', path: child, source: path.join(context, child), mode: info.mode & 0o7777 });
      }
    }
  };
  walk('');
  return entries;
}

/** Builds and tags the image; rejects with the build's own first error line. */
export async function buildContext(docker: Dockerode, build: PlannedBuild, tag: string, log: (line: string) => void): Promise<void> {
  const stream = await docker.buildImage(tarStream(contextEntries(build.context)), {
    t: tag,
    ...(build.dockerfile ? { dockerfile: build.dockerfile } : {}),
    ...(build.target ? { target: build.target } : {}),
    buildargs: build.args,
    rm: true,
    forcerm: true,
  });
  try {
    await followDockerProgress(stream, log);
  } catch (error) {
    throw new Error(`building ${tag} from ${build.context} failed: ${(error as Error).message.split('\n')[0]}`);
  }
}
