// The api image: built with dockerode even without a registry, it runs as a non-root user and says hello with its container's hostname.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import Dockerode from 'dockerode';
import { OFFICIAL_BASE_IMAGE, buildApiImage, imageExists, type BuiltApiImage } from '../../electron/core/image/image-builder.js';
import { builtImage, readApiImageInputs, rebuildReason } from '../../electron/core/image/image-inputs.js';
import { DockerDriver } from '../../electron/core/replicas/docker-driver.js';
import type { ObservedReplica } from '../../electron/core/replicas/replica-driver.js';
import { hasDocker } from '../support/requirements.js';

/** A tag of its own, so this build never swaps the image under other tests; removing it only untags. */
const TEST_TAG = 'scaledeck/api:itest';

function getJson(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function execInContainer(container: Dockerode.Container, cmd: string[]): Promise<string> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = await exec.start({ hijack: true, stdin: false, Tty: true });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise((resolve) => stream.on('end', resolve));
  return Buffer.concat(chunks).toString().trim();
}

describe.skipIf(!hasDocker())('api image', () => {
  const docker = new Dockerode();
  const driver = new DockerDriver({ app: `itest-image-${randomBytes(3).toString('hex')}`, docker, stopTimeoutS: 5 });
  const log: string[] = [];
  let officialWasPresent = false;
  let built: BuiltApiImage;
  let replica: ObservedReplica | undefined;

  beforeAll(async () => {
    officialWasPresent = await imageExists(docker, OFFICIAL_BASE_IMAGE);
    built = await buildApiImage({
      docker,
      dockerfile: 'api/Dockerfile',
      serverJs: 'dist/api/server.js',
      tag: TEST_TAG,
      onLog: (line) => log.push(line),
    });
  });

  afterAll(async () => {
    if (replica) await driver.remove(replica.id, 1);
    await driver.close();
    await docker.getImage(TEST_TAG).remove().catch(() => {});
  });

  it('builds, on the official base when it is there and on an offline base from this host’s Node when not', async () => {
    expect(built.tag).toBe(TEST_TAG);
    expect(await imageExists(docker, TEST_TAG)).toBe(true);
    if (officialWasPresent) {
      expect(built).toMatchObject({ base: 'official', baseImage: OFFICIAL_BASE_IMAGE });
    } else {
      expect(built.base).toBe('offline');
      expect(built.baseImage).toBe(`scaledeck/node-base:${process.version.slice(1)}`);
      expect(log.join('\n')).toMatch(/no registry reachable: (built|reusing) .*Node v\d+\.\d+\.\d+/);
    }
    expect(log.some((line) => /Successfully tagged scaledeck\/api:itest/.test(line))).toBe(true);
  });

  it('carries the hash of the files it was built from, so a changed server.js or Dockerfile shows it stale', async () => {
    const inputs = await readApiImageInputs({ dockerfile: 'api/Dockerfile', serverJs: 'dist/api/server.js' });
    const image = await builtImage(docker, TEST_TAG);
    expect(image).toEqual({ present: true, inputs: inputs.hash });
    expect(rebuildReason(image, inputs.hash)).toBeNull();
    expect(rebuildReason(image, '0'.repeat(64))).toMatch(/built from other inputs/);
  });

  it('answers GET / with its container hostname, running as a non-root user', async () => {
    replica = await driver.create({ image: TEST_TAG, containerPort: 8000, healthPath: '/healthz', cpuLimit: 0.5, memoryLimitMb: 128 });
    const container = docker.getContainer(replica.id);
    const info = await container.inspect();
    expect(info.Config.User).toBe('1000:1000');

    const deadline = Date.now() + 20_000;
    let answer: Awaited<ReturnType<typeof getJson>> | undefined;
    while (!answer) {
      answer = await getJson(replica.hostPort, '/').catch((error: Error) => {
        if (Date.now() > deadline) throw error;
        return undefined;
      });
      if (!answer) await new Promise((wait) => setTimeout(wait, 100));
    }
    expect(answer).toEqual({ status: 200, body: { host: info.Config.Hostname, message: 'Hello' } });
    expect(await execInContainer(container, ['node', '-e', 'process.stdout.write(String(process.getuid()))'])).toBe('1000');
  });
});
