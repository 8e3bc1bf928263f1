// Small images made offline from the local sample image for the swarm rollout tests: a build context of one
// Dockerfile, FROM an image already on this engine (nothing is pulled), each with its own image ID.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { tarBuffer } from '../../electron/core/image/tar-archive.js';

/** The sample image's own HEALTHCHECK line, so a test image is checked exactly as the sample api is. */
export function sampleHealthcheck(): string {
  const line = readFileSync('api/Dockerfile', 'utf8').split('\n').find((l) => l.startsWith('HEALTHCHECK '));
  if (!line) throw new Error('api/Dockerfile has no HEALTHCHECK line');
  return line;
}

/** Builds `tag` from the given Dockerfile lines; resolves with its image ID. */
export async function buildOffline(docker: Dockerode, tag: string, dockerfile: string[]): Promise<string> {
  const context = await tarBuffer([{ type: 'file', path: 'Dockerfile', content: `${dockerfile.join('\n')}\n` }]);
  const stream = await docker.buildImage(Readable.from([context]), { t: tag, rm: true, forcerm: true });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: Array<{ error?: string }>) => {
      const failed = error?.message ?? output.find((o) => o.error)?.error;
      if (failed) reject(new Error(`building ${tag} failed: ${failed}`));
      else resolve();
    });
  });
  return (await docker.getImage(tag).inspect()).Id;
}
