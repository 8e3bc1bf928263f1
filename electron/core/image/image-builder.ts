// Builds the api image with dockerode, on the official Node base when it can be had, else on an offline base made from the host's Node.
import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { followDockerProgress, imageExists } from './docker-images.js';
import { INPUTS_LABEL, readApiImageInputs, type ApiImageSources } from './image-inputs.js';
import { ensureOfflineBase } from './offline-base.js';
import { tarBuffer } from './tar-archive.js';

export { imageExists } from './docker-images.js';

export const API_IMAGE_TAG = 'scaledeck/api:latest';
export const OFFICIAL_BASE_IMAGE = 'node:20-alpine';
const DEFAULT_PULL_TIMEOUT_MS = 15_000;

export interface BuildApiImageOptions extends ApiImageSources {
  docker: Dockerode;
  tag?: string;
  /** The registry base to prefer; defaults to node:20-alpine. */
  baseImage?: string;
  /** Node executable for the offline base; needed inside Electron, where process.execPath is not Node. */
  nodeBinary?: string;
  pullTimeoutMs?: number;
  onLog?: (line: string) => void;
}

export interface BuiltApiImage {
  tag: string;
  base: 'official' | 'offline';
  baseImage: string;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].trim();
}

/** True when `image` is present, pulling it if needed; a registry that fails or hangs counts as absent. */
async function obtainBaseImage(docker: Dockerode, image: string, timeoutMs: number, log: (line: string) => void): Promise<boolean> {
  if (await imageExists(docker, image)) return true;
  log(`${image} is not present locally: pulling it (giving up after ${Math.round(timeoutMs / 1000)} s)`);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const stream = await docker.pull(image, { abortSignal: abort.signal });
    await followDockerProgress(stream, log);
    return await imageExists(docker, image);
  } catch (error) {
    log(`could not pull ${image}: ${abort.signal.aborted ? `no answer within ${Math.round(timeoutMs / 1000)} s` : firstLine(error)}`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export async function buildApiImage(options: BuildApiImageOptions): Promise<BuiltApiImage> {
  const { docker } = options;
  const tag = options.tag ?? API_IMAGE_TAG;
  const preferred = options.baseImage ?? OFFICIAL_BASE_IMAGE;
  const log = options.onLog ?? (() => {});

  const inputs = await readApiImageInputs(options);
  const context = await tarBuffer(inputs.files.map((file) => ({ type: 'file' as const, ...file })));

  let built: BuiltApiImage;
  if (await obtainBaseImage(docker, preferred, options.pullTimeoutMs ?? DEFAULT_PULL_TIMEOUT_MS, log)) {
    built = { tag, base: 'official', baseImage: preferred };
    log(`using the official base ${preferred}`);
  } else {
    const offline = await ensureOfflineBase(docker, { nodeBinary: options.nodeBinary, onLog: log });
    built = { tag, base: 'offline', baseImage: offline.image };
    const { runtime } = offline;
    log(
      `no registry reachable: ${offline.reused ? 'reusing the offline base' : 'built an offline base'} ${offline.image} from this host's Node ${runtime.version} (${runtime.binary} + ${runtime.libraries.length} shared libraries)`,
    );
  }

  log(`building ${tag} on ${built.baseImage}`);
  const stream = await docker.buildImage(Readable.from([context]), {
    t: tag,
    buildargs: { BASE_IMAGE: built.baseImage },
    labels: { 'scaledeck.base': built.base, [INPUTS_LABEL]: inputs.hash },
    rm: true,
    forcerm: true,
  });
  try {
    await followDockerProgress(stream, log);
  } catch (error) {
    throw new Error(`building ${tag} on ${built.baseImage} failed: ${firstLine(error)}`);
  }
  if (!(await imageExists(docker, tag))) throw new Error(`the build of ${tag} finished but Docker does not list it: check \`docker images\``);
  log(`built ${tag} (${built.base} base ${built.baseImage})`);
  return built;
}
