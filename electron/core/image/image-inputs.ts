// What the api image is built from (Dockerfile, package.json, server.js), hashed into a label so a stale image shows.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type Dockerode from 'dockerode';
import { isNotFound } from './docker-images.js';

/** The image label that carries the hash of the files the image was built from. */
export const INPUTS_LABEL = 'scaledeck.inputs';

export interface ApiImageSources {
  /** Path of api/Dockerfile. */
  dockerfile: string;
  /** Path of the compiled server (dist/api/server.js). */
  serverJs: string;
  /** Path of the package.json that marks server.js as an ES module; defaults to the one beside the Dockerfile. */
  packageJson?: string;
}

export interface ApiImageInputs {
  /** The build context's files, by their name in the context. */
  files: { path: string; content: Buffer }[];
  /** sha256 over each file's name and bytes, in context order. */
  hash: string;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].trim();
}

async function readContextFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const hint = what === 'server.js' ? ': build it first with `npm run build:node`' : '';
    throw new Error(`cannot read ${what} at ${path} (${firstLine(error)})${hint}`);
  }
}

export function hashInputs(files: readonly { path: string; content: Buffer }[]): string {
  const hash = createHash('sha256');
  for (const { path, content } of files) {
    // Lengths first, so moving bytes from one file to the next changes the hash.
    hash.update(`${path}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest('hex');
}

export async function readApiImageInputs(sources: ApiImageSources): Promise<ApiImageInputs> {
  const files = [
    { path: 'Dockerfile', content: await readContextFile(sources.dockerfile, 'the Dockerfile') },
    { path: 'package.json', content: await readContextFile(sources.packageJson ?? join(dirname(sources.dockerfile), 'package.json'), 'package.json') },
    { path: 'server.js', content: await readContextFile(sources.serverJs, 'server.js') },
  ];
  return { files, hash: hashInputs(files) };
}

/** What Docker has under `tag`: absent, or present with the inputs hash it was labelled with (null: none). */
export type BuiltImage = { present: false } | { present: true; inputs: string | null };

export async function builtImage(docker: Dockerode, tag: string): Promise<BuiltImage> {
  try {
    const info = await docker.getImage(tag).inspect();
    return { present: true, inputs: info.Config?.Labels?.[INPUTS_LABEL] ?? null };
  } catch (error) {
    if (isNotFound(error)) return { present: false };
    throw error;
  }
}

/** Why the image must be built again before it can stand for today's inputs, or null when it already does. */
export function rebuildReason(built: BuiltImage, currentHash: string): string | null {
  if (!built.present) return 'not built yet';
  if (built.inputs === null) return 'built without a record of its inputs';
  if (built.inputs !== currentHash) return `built from other inputs (${built.inputs.slice(0, 12)}, now ${currentHash.slice(0, 12)})`;
  return null;
}
