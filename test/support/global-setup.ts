// Before integration and e2e tests: the node build (the process driver runs dist/api/server.js) and the api image.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import Dockerode from 'dockerode';
import { buildApiImage, imageExists, API_IMAGE_TAG } from '../../electron/core/image/image-builder.js';
import { hasDocker } from './requirements.js';

const SERVER_JS = 'dist/api/server.js';

function buildIsStale(): boolean {
  if (!existsSync(SERVER_JS) || !existsSync('dist/electron/shells/headless/server.js')) return true;
  return statSync('api/server.ts').mtimeMs > statSync(SERVER_JS).mtimeMs;
}

export default async function setup(): Promise<void> {
  if (buildIsStale()) {
    console.log('[setup] compiling the node side (tsc) for the process driver and the headless shell');
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  }
  if (!existsSync('dist/renderer/index.html')) {
    console.log('[setup] building the renderer (vite build) for the dashboard tests');
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  }
  if (hasDocker()) {
    const docker = new Dockerode();
    if (!(await imageExists(docker, API_IMAGE_TAG))) {
      console.log(`[setup] building ${API_IMAGE_TAG}`);
      const built = await buildApiImage({ docker, dockerfile: 'api/Dockerfile', serverJs: SERVER_JS, onLog: (line) => console.log(`[image] ${line}`) });
      console.log(`[setup] built ${built.tag} on the ${built.base} base ${built.baseImage}`);
    }
  }
}
