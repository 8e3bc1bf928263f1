// Before integration and e2e tests: build what they run (the node side, the renderer) and the api image when stale.
import { execFileSync } from 'node:child_process';
import Dockerode from 'dockerode';
import { buildApiImage, API_IMAGE_TAG } from '../../electron/core/image/image-builder.js';
import { builtImage, readApiImageInputs, rebuildReason } from '../../electron/core/image/image-inputs.js';
import { hasDocker } from './requirements.js';

const IMAGE_SOURCES = { dockerfile: 'api/Dockerfile', serverJs: 'dist/api/server.js' };

export default async function setup(): Promise<void> {
  // Both builds take seconds, and a check of what changed since the last one would be the one thing that could
  // let a test run yesterday's code.
  console.log('[setup] compiling the node side (tsc) and building the renderer (vite build)');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (!hasDocker()) return;
  const docker = new Dockerode();
  const inputs = await readApiImageInputs(IMAGE_SOURCES);
  const reason = rebuildReason(await builtImage(docker, API_IMAGE_TAG), inputs.hash);
  if (reason === null) return;
  console.log(`[setup] building ${API_IMAGE_TAG}: ${reason}`);
  const built = await buildApiImage({ docker, ...IMAGE_SOURCES, onLog: (line) => console.log(`[image] ${line}`) });
  console.log(`[setup] built ${built.tag} on the ${built.base} base ${built.baseImage}`);
}
