// `npm run image`: builds scaledeck/api:latest from api/Dockerfile and dist/api/server.js, online or offline.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Dockerode from 'dockerode';
import { API_IMAGE_TAG, OFFICIAL_BASE_IMAGE, buildApiImage } from '../electron/core/image/image-builder.js';
import { dockerStatus } from '../electron/core/replicas/docker-driver.js';

// This file runs as dist/build/build-image.js, two levels below the repository root.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const usage = `usage: npm run image [-- --tag ${API_IMAGE_TAG}] [--base-image ${OFFICIAL_BASE_IMAGE}] [--node /path/to/node]`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        tag: { type: 'string', default: API_IMAGE_TAG },
        'base-image': { type: 'string', default: OFFICIAL_BASE_IMAGE },
        node: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }

  const docker = new Dockerode();
  const status = await dockerStatus(docker);
  if (!status.reachable) {
    console.error(status.error);
    return 1;
  }
  console.log(`Docker ${status.version}: building ${values.tag}`);
  try {
    const built = await buildApiImage({
      docker,
      dockerfile: join(root, 'api', 'Dockerfile'),
      serverJs: join(root, 'dist', 'api', 'server.js'),
      tag: values.tag,
      baseImage: values['base-image'],
      nodeBinary: values.node,
      onLog: (line) => console.log(`  ${line}`),
    });
    console.log(`${built.tag} is ready (${built.base} base: ${built.baseImage})`);
    return 0;
  } catch (error) {
    console.error(`Could not build ${values.tag}: ${(error as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
