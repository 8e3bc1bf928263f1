// A container's CPU and memory read two ways against a real engine on this machine: from its cgroup files, and from
// Docker's stats stream. The cheap way must be the one taken here and must agree with the engine's own figures.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_IMAGE_TAG } from '../../electron/core/image/image-builder.js';
import { DockerDriver } from '../../electron/core/replicas/docker-driver.js';
import { DockerStatsFeeds } from '../../electron/core/replicas/docker-stats.js';
import type { ObservedReplica, ReplicaSpec } from '../../electron/core/replicas/replica-driver.js';
import { hasDocker } from '../support/requirements.js';
import { sleep, waitFor } from '../support/waiting.js';

const spec: ReplicaSpec = { image: API_IMAGE_TAG, containerPort: 8000, healthPath: '/healthz', cpuLimit: 0.5, memoryLimitMb: 128 };

function status(port: number, path: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on ${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!hasDocker())('container stats from cgroup files and from the stats stream', () => {
  const docker = new Dockerode();
  const driver = new DockerDriver({ app: `itest-stats-${randomBytes(3).toString('hex')}`, docker, stopTimeoutS: 1 });
  const fromCgroups = new DockerStatsFeeds(docker);
  const fromStream = new DockerStatsFeeds(docker, { fromCgroups: false });
  let replica: ObservedReplica;

  beforeAll(async () => {
    replica = await driver.create(spec);
    await waitFor(async () => (await status(replica.hostPort, '/healthz', 1_000).catch(() => 0)) === 200, 20_000, 'the replica to answer /healthz');
  });

  afterAll(async () => {
    fromCgroups.close();
    fromStream.close();
    for (const listed of await driver.list()) await driver.remove(listed.id, 1);
    await driver.close();
  });

  it('reads a container of the local engine from its cgroup, and one asked not to from the stream', async () => {
    await fromCgroups.read(replica.id, spec.cpuLimit);
    await fromStream.read(replica.id, spec.cpuLimit);
    expect(fromCgroups.source(replica.id)).toBe('cgroup');
    expect(fromStream.source(replica.id)).toBe('stream');
  });

  it('agrees with the engine on memory, and on CPU while the replica is busy and when it is idle', async () => {
    const [cgroupIdle, streamIdle] = await Promise.all([fromCgroups.read(replica.id, spec.cpuLimit), fromStream.read(replica.id, spec.cpuLimit)]);
    expect(cgroupIdle.memBytes).toBeGreaterThan(1024 * 1024);
    expect(Math.abs(cgroupIdle.memBytes - streamIdle.memBytes) / streamIdle.memBytes).toBeLessThan(0.15);
    // Two loops of 2 s, the most one request may ask; the replica serves them one after the other.
    const busy = Promise.all([status(replica.hostPort, '/work?ms=2000', 10_000), status(replica.hostPort, '/work?ms=2000', 10_000)]);
    // The stream's sample spans the engine's last second: both spans must lie inside the busy loop.
    await sleep(1_500);
    await fromCgroups.read(replica.id, spec.cpuLimit);
    await sleep(1_000);
    const [cgroupBusy, streamBusy] = await Promise.all([fromCgroups.read(replica.id, spec.cpuLimit), fromStream.read(replica.id, spec.cpuLimit)]);
    expect(await busy).toEqual([200, 200]);
    // The busy loop uses the whole 0.5-CPU limit; a loaded machine may give it less, never nothing.
    expect(cgroupBusy.cpuPercent).toBeGreaterThan(30);
    expect(streamBusy.cpuPercent).toBeGreaterThan(30);
    expect(Math.abs(cgroupBusy.cpuPercent - streamBusy.cpuPercent)).toBeLessThan(25);
    await fromCgroups.read(replica.id, spec.cpuLimit);
    await sleep(1_200);
    const idleAgain = await fromCgroups.read(replica.id, spec.cpuLimit);
    expect(idleAgain.cpuPercent).toBeLessThan(15);
  });

  it('says a stopped container has no stats, and forgets it', async () => {
    await docker.getContainer(replica.id).kill();
    // The engine removes the cgroup as it reaps the container, which may trail the kill by a moment.
    const refusal = await waitFor(() => fromCgroups.read(replica.id, spec.cpuLimit).then(() => null, (error: Error) => error), 5_000, 'a reading to fail');
    expect(refusal.message).toMatch(/not running/);
    expect(fromCgroups.watched()).not.toContain(replica.id);
  });
});
