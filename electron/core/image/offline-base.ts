// Builds a Node base image without any registry: the host's own Node runtime plus the shared libraries it links, imported into Docker.
import { execFile } from 'node:child_process';
import { access, constants, realpath } from 'node:fs/promises';
import { delimiter, join, posix } from 'node:path';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { tarStream, type TarEntry } from './tar-archive.js';
import { followDockerProgress, imageExists } from './docker-images.js';

const execFileAsync = promisify(execFile);

export const OFFLINE_BASE_REPO = 'scaledeck/node-base';
const NODE_PATH_IN_IMAGE = '/usr/local/bin/node';
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface HostNodeRuntime {
  /** Real path of the Node executable. */
  binary: string;
  /** As `node --version` prints it, e.g. `v20.20.2`. */
  version: string;
  /** Absolute paths the dynamic loader resolves for it, the loader itself included. */
  libraries: string[];
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Node executable to copy. Inside Electron, process.execPath is the Electron binary (a browser, not a
 * base for a server image), so there it must be given or found as `node` on PATH.
 */
export async function findHostNode(nodeBinary?: string): Promise<string> {
  if (nodeBinary) return realpath(nodeBinary);
  if (!process.versions.electron) return realpath(process.execPath);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'node');
    if (dir && (await isExecutable(candidate))) return realpath(candidate);
  }
  throw new Error(
    'No Node runtime found to build the offline base image: install Node 20 (e.g. `apt install nodejs`) so `node` is on PATH, or make a registry reachable so node:20-alpine can be pulled',
  );
}

/** Absolute library paths from `ldd` output (glibc and musl forms); throws when a library is missing. */
export function parseLddOutput(text: string): string[] {
  const paths = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const missing = /^(\S+) => not found/.exec(line);
    if (missing) throw new Error(`the Node runtime needs ${missing[1]}, which this host does not have: reinstall Node`);
    const linked = /=>\s+(\/\S+)/.exec(line) ?? /^(\/\S+)/.exec(line);
    if (linked) paths.add(linked[1]);
  }
  return [...paths];
}

async function sharedLibraries(binary: string): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('ldd', [binary], { timeout: 15_000 });
    return parseLddOutput(stdout);
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    const said = `${failure.stdout ?? ''}${failure.stderr ?? ''}`;
    if (/not a dynamic executable|statically linked/i.test(said)) return [];
    if (failure.code === 'ENOENT') {
      throw new Error('`ldd` not found, so the libraries Node needs cannot be listed: install it (`apt install libc-bin`)');
    }
    throw failure;
  }
}

export async function describeHostNode(nodeBinary?: string): Promise<HostNodeRuntime> {
  const binary = await findHostNode(nodeBinary);
  const { stdout } = await execFileAsync(binary, ['--version'], {
    timeout: 15_000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  const version = stdout.trim();
  if (!/^v\d+\.\d+\.\d+/.test(version)) throw new Error(`${binary} --version printed "${version}", not a Node version`);
  return { binary, version, libraries: await sharedLibraries(binary) };
}

/** The root filesystem of the base image: node on PATH, its libraries where the loader looks, a user 1000 and /tmp. */
export async function offlineBaseEntries(runtime: HostNodeRuntime): Promise<TarEntry[]> {
  const files: TarEntry[] = [
    { type: 'host-file', path: NODE_PATH_IN_IMAGE, source: runtime.binary, mode: 0o755 },
    { type: 'file', path: '/etc/passwd', content: 'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000:node:/home/node:/sbin/nologin\n' },
    { type: 'file', path: '/etc/group', content: 'root:x:0:\nnode:x:1000:\n' },
  ];
  for (const library of runtime.libraries) {
    // Stored under the name the loader asks for, with the bytes of whatever that name links to on the host.
    files.push({ type: 'host-file', path: library, source: await realpath(library), mode: 0o755 });
  }
  const directories = new Set<string>();
  const addWithParents = (dir: string): void => {
    for (let path = dir; path !== '/'; path = posix.dirname(path)) directories.add(path);
  };
  addWithParents('/tmp');
  for (const file of files) addWithParents(posix.dirname(file.path));
  const dirEntries: TarEntry[] = [...directories]
    .sort()
    .map((path) => ({ type: 'directory', path, mode: path === '/tmp' ? 0o1777 : 0o755 }));
  return [...dirEntries, ...files];
}

export function offlineBaseTag(runtime: HostNodeRuntime): string {
  return `${OFFLINE_BASE_REPO}:${runtime.version.replace(/^v/, '')}`;
}

/** Imports the offline base for this host's Node, or reuses it when already imported. */
export async function ensureOfflineBase(
  docker: Dockerode,
  options: { nodeBinary?: string; onLog?: (line: string) => void } = {},
): Promise<{ image: string; runtime: HostNodeRuntime; reused: boolean }> {
  const log = options.onLog ?? (() => {});
  const runtime = await describeHostNode(options.nodeBinary);
  const image = offlineBaseTag(runtime);
  if (await imageExists(docker, image)) {
    log(`reusing the offline base ${image}`);
    return { image, runtime, reused: true };
  }
  log(`importing ${image} from ${runtime.binary} and ${runtime.libraries.length} shared libraries`);
  const [repo, tag] = [OFFLINE_BASE_REPO, image.slice(OFFLINE_BASE_REPO.length + 1)];
  const archive = tarStream(await offlineBaseEntries(runtime));
  const stream = await docker.importImage(archive, {
    repo,
    tag,
    changes: [`ENV PATH=${DEFAULT_PATH}`, 'CMD ["node"]'],
    message: `ScaleDeck offline Node base from ${runtime.binary} ${runtime.version}`,
  });
  await followDockerProgress(stream, log);
  if (!(await imageExists(docker, image))) throw new Error(`Docker accepted the import of ${image} but does not list it: check \`docker images\``);
  return { image, runtime, reused: false };
}
