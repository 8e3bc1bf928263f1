// The docker and process replica drivers against a real engine and real processes: create, list, stats, graceful remove.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Dockerode from 'dockerode';
import { API_IMAGE_TAG } from '../../electron/core/image/image-builder.js';
import { DockerDriver } from '../../electron/core/replicas/docker-driver.js';
import { ProcessDriver } from '../../electron/core/replicas/process-driver.js';
import type { ObservedReplica, ReplicaDriver, ReplicaSpec } from '../../electron/core/replicas/replica-driver.js';
import { hasDocker } from '../support/requirements.js';
import { waitFor } from '../support/waiting.js';

const spec: ReplicaSpec = { image: API_IMAGE_TAG, containerPort: 8000, healthPath: '/healthz', cpuLimit: 0.5, memoryLimitMb: 128 };

function get(port: number, path: string, timeoutMs = 10_000): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolveAnswer, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          resolveAnswer({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) });
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on ${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

async function waitHealthy(replica: ObservedReplica, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await get(replica.hostPort, '/healthz', 1_000)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${replica.name} did not answer /healthz on ${replica.hostPort} within ${timeoutMs} ms`);
    await new Promise((wait) => setTimeout(wait, 100));
  }
}

/** The behaviour both drivers share, run against each. */
function sharedBehaviour(make: () => { driver: ReplicaDriver; namePattern: RegExp }) {
  let driver: ReplicaDriver;
  let namePattern: RegExp;
  const made: ObservedReplica[] = [];

  beforeAll(async () => {
    ({ driver, namePattern } = make());
    made.push(await driver.create(spec), await driver.create(spec));
    await Promise.all(made.map((replica) => waitHealthy(replica)));
  });

  afterAll(async () => {
    for (const replica of await driver.list()) await driver.remove(replica.id, 1);
    await driver.close();
  });

  it('creates replicas with unique names on 127.0.0.1 ports', () => {
    expect(made[0].name).toMatch(namePattern);
    expect(made[1].name).not.toBe(made[0].name);
    expect(made.every((replica) => replica.host === '127.0.0.1' && replica.hostPort > 0 && replica.running)).toBe(true);
    expect(made[0].hostPort).not.toBe(made[1].hostPort);
  });

  it('lists exactly the replicas it created', async () => {
    const listed = await driver.list();
    expect(listed.map((replica) => replica.id).sort()).toEqual(made.map((replica) => replica.id).sort());
    for (const replica of made) {
      const seen = listed.find((other) => other.id === replica.id);
      expect(seen).toMatchObject({ name: replica.name, hostPort: replica.hostPort, running: true });
      expect(Math.abs((seen?.startedAt ?? 0) - replica.startedAt)).toBeLessThan(2_000);
    }
  });

  it('reads CPU and memory of a replica, and sees it work', async () => {
    const idle = await driver.stats(made[0].id, spec);
    expect(Number.isFinite(idle.cpuPercent) && idle.cpuPercent >= 0).toBe(true);
    expect(idle.memBytes).toBeGreaterThan(1024 * 1024);
    const busy = get(made[0].hostPort, '/work?ms=2000');
    await new Promise((wait) => setTimeout(wait, 1_200));
    let peak = 0;
    for (let i = 0; i < 4; i++) {
      peak = Math.max(peak, (await driver.stats(made[0].id, spec)).cpuPercent);
      await new Promise((wait) => setTimeout(wait, 200));
    }
    await busy;
    // The busy loop uses the whole 0.5-CPU limit; a loaded shared machine may give it less, never nothing.
    expect(peak).toBeGreaterThan(30);
  });

  it('lets a request in flight finish when removing a replica, and forgets it', async () => {
    const victim = made[1];
    const inFlight = get(victim.hostPort, '/work?ms=1000');
    await new Promise((wait) => setTimeout(wait, 200));
    await driver.remove(victim.id, 10);
    expect(await inFlight).toMatchObject({ status: 200, body: { ms: 1000 } });
    expect((await driver.list()).map((replica) => replica.id)).not.toContain(victim.id);
    await expect(get(victim.hostPort, '/', 1_000)).rejects.toThrow();
  });

  it('removes idempotently', async () => {
    await expect(driver.remove(made[1].id, 1)).resolves.toBeUndefined();
  });
}

describe.skipIf(!hasDocker())('DockerDriver', () => {
  const docker = new Dockerode();
  const app = `itest-${randomBytes(3).toString('hex')}`;
  const driver = new DockerDriver({ app, docker, stopTimeoutS: 5 });
  let foreign: Dockerode.Container;

  beforeAll(async () => {
    foreign = await docker.createContainer({
      name: `scaledeck-test-foreign-${randomBytes(3).toString('hex')}`,
      Image: API_IMAGE_TAG,
      Labels: { 'scaledeck.test': 'true' },
    });
    await foreign.start();
  });

  afterAll(async () => {
    await foreign?.remove({ force: true });
  });

  it('reports the engine version', async () => {
    expect(await driver.status()).toMatchObject({ reachable: true, version: expect.stringMatching(/^\d+\.\d+/) });
  });

  it('explains how to fix an unreachable engine', async () => {
    const status = await new DockerDriver({ app, docker: new Dockerode({ socketPath: '/nonexistent/docker.sock' }) }).status();
    expect(status.reachable).toBe(false);
    expect(status.error).toMatch(/\/nonexistent\/docker\.sock.*systemctl start docker.*usermod -aG docker/);
  });

  it('never claims the replicas of another data folder\'s instance with the same app name', async () => {
    const mine = new DockerDriver({ app, instance: 'aaaaaaaaaaaa', docker, stopTimeoutS: 1 });
    const theirs = new DockerDriver({ app, instance: 'bbbbbbbbbbbb', docker, stopTimeoutS: 1 });
    const replica = await theirs.create(spec);
    try {
      expect((await mine.list()).map((r) => r.id)).not.toContain(replica.id);
      expect((await theirs.list()).map((r) => r.id)).toContain(replica.id);
      await expect(mine.remove(replica.id, 0)).rejects.toThrow(/not a ScaleDeck replica/);
      expect((await docker.getContainer(replica.id).inspect()).State.Running).toBe(true);
    } finally {
      await theirs.remove(replica.id, 0);
      await Promise.all([mine.close(), theirs.close()]);
    }
  });

  describe('with two replicas', () => {
    sharedBehaviour(() => ({ driver, namePattern: new RegExp(`^${app}-[0-9a-f]{6}$`) }));

    it('never lists, nor removes, a container without its labels', async () => {
      const listed = await driver.list();
      expect(listed.map((replica) => replica.id)).not.toContain(foreign.id);
      await expect(driver.remove(foreign.id, 1)).rejects.toThrow(/refusing to remove/);
      expect((await foreign.inspect()).State.Running).toBe(true);
    });

    it('lists a replica whose container exited as not running', async () => {
      const [replica] = await driver.list();
      await docker.getContainer(replica.id).kill();
      const listed = await driver.list();
      expect(listed.find((other) => other.id === replica.id)).toMatchObject({ running: false });
      await expect(driver.stats(replica.id, spec)).rejects.toThrow();
      await driver.remove(replica.id, 1);
      expect((await driver.list()).map((other) => other.id)).not.toContain(replica.id);
    });
  });

  it('publishes replicas on 127.0.0.1 with the CPU and memory limits', async () => {
    const replica = await driver.create({ ...spec, cpuLimit: 0.25, memoryLimitMb: 64 });
    try {
      const info = await docker.getContainer(replica.id).inspect();
      expect(info.HostConfig.NanoCpus).toBe(250_000_000);
      expect(info.HostConfig.Memory).toBe(64 * 2 ** 20);
      expect(info.NetworkSettings.Ports['8000/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(replica.hostPort) }]);
    } finally {
      await driver.remove(replica.id, 1);
    }
  });

  it('says how to get the image when it is missing', async () => {
    await expect(driver.create({ ...spec, image: 'scaledeck/no-such-image:never' })).rejects.toThrow(/not found: build it with `npm run image`/);
  });
});

describe('ProcessDriver', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scaledeck-drivers-'));
  const serverScript = resolve('dist/api/server.js');
  const driver = new ProcessDriver({ app: 'itest', dataDir, serverScript });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reports the node version, or that the server is not built', async () => {
    expect(await driver.status()).toMatchObject({ reachable: true, version: `node ${process.version}` });
    const missing = await new ProcessDriver({ app: 'itest', dataDir, serverScript: join(dataDir, 'nope.js') }).status();
    expect(missing).toMatchObject({ reachable: false, error: expect.stringMatching(/npm run build:node/) });
  });

  describe('with two replicas', () => {
    sharedBehaviour(() => ({ driver, namePattern: /^proc-itest-[0-9a-f]{6}$/ }));

    it('gives each replica its own host name', async () => {
      const [replica] = await driver.list();
      expect((await get(replica.hostPort, '/')).body).toEqual({ host: replica.name, message: 'Hello' });
    });

    it('is adopted by a second driver on the same data folder', async () => {
      const again = new ProcessDriver({ app: 'itest', dataDir, serverScript });
      const [mine, adopted] = [await driver.list(), await again.list()];
      expect(adopted).toEqual(mine);
      expect(adopted.length).toBeGreaterThan(0);
      await again.close();
    });

    it('ignores other apps and sees a reused pid as not running', async () => {
      const replicas = join(dataDir, 'replicas');
      writeFileSync(join(replicas, 'proc-other-aaaaaa.json'), JSON.stringify({ pid: process.pid, port: 1, name: 'proc-other-aaaaaa', startedAt: 0, app: 'other' }));
      // This test's own pid: alive, but not our server.
      writeFileSync(join(replicas, 'proc-itest-bbbbbb.json'), JSON.stringify({ pid: process.pid, port: 1, name: 'proc-itest-bbbbbb', startedAt: 0, app: 'itest' }));
      const listed = await driver.list();
      expect(listed.map((replica) => replica.id)).not.toContain('proc-other-aaaaaa');
      expect(listed.find((replica) => replica.id === 'proc-itest-bbbbbb')).toMatchObject({ running: false });
      await driver.remove('proc-itest-bbbbbb', 1);
      expect(existsSync(join(replicas, 'proc-itest-bbbbbb.json'))).toBe(false);
      expect(existsSync(join(replicas, 'proc-other-aaaaaa.json'))).toBe(true);
      rmSync(join(replicas, 'proc-other-aaaaaa.json'));
    });

    it('kills a replica still busy when the grace period ends', async () => {
      const [replica] = await driver.list();
      const inFlight = get(replica.hostPort, '/work?ms=2000').catch((error: Error) => error);
      await new Promise((wait) => setTimeout(wait, 200));
      await driver.remove(replica.id, 0.5);
      // The 2 s request failed: the replica was killed when the grace ended, not left to finish it.
      expect(await inFlight).toBeInstanceOf(Error);
      expect(existsSync(join(dataDir, 'replicas', `${replica.id}.json`))).toBe(false);
    });
  });

  it('adopts its replicas after the app\'s files move, as an AppImage mounted at a new path each launch', async () => {
    const movingData = mkdtempSync(join(tmpdir(), 'scaledeck-moving-'));
    const mount = (n: number) => {
      const script = join(movingData, `mount-${n}`, 'resources', 'api', 'server.js');
      mkdirSync(join(script, '..'), { recursive: true });
      copyFileSync(serverScript, script);
      return script;
    };
    const firstLaunch = new ProcessDriver({ app: 'moving', dataDir: movingData, serverScript: mount(1) });
    const replica = await firstLaunch.create(spec);
    try {
      rmSync(join(movingData, 'mount-1'), { recursive: true });
      const secondLaunch = new ProcessDriver({ app: 'moving', dataDir: movingData, serverScript: mount(2) });
      expect(await secondLaunch.list()).toEqual([expect.objectContaining({ id: replica.id, running: true })]);
      // Started a moment ago: it serves once it has loaded.
      await waitFor(async () => (await get(replica.hostPort, '/healthz')).status === 200, 10_000, 'the adopted replica to answer');
      await secondLaunch.remove(replica.id, 5);
      expect(await secondLaunch.list()).toEqual([]);
    } finally {
      await firstLaunch.remove(replica.id, 0).catch(() => undefined);
      rmSync(movingData, { recursive: true, force: true });
    }
  });

  it('runs its replicas from a copy of the api server in the data folder', async () => {
    const replica = await driver.create(spec);
    try {
      const record = JSON.parse(readFileSync(join(dataDir, 'replicas', `${replica.id}.json`), 'utf8')) as { pid: number };
      const commandLine = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').split('\0');
      expect(commandLine).toContain(join(dataDir, 'replicas', 'api-server.mjs'));
      expect(readFileSync(join(dataDir, 'replicas', 'api-server.mjs'))).toEqual(readFileSync(serverScript));
    } finally {
      await driver.remove(replica.id, 0);
    }
  });

  it('starts four replicas at once on a fresh data folder, all from one copy of the api server', async () => {
    const freshData = mkdtempSync(join(tmpdir(), 'scaledeck-fresh-'));
    const fresh = new ProcessDriver({ app: 'fresh', dataDir: freshData, serverScript });
    try {
      const created = await Promise.allSettled([1, 2, 3, 4].map(() => fresh.create(spec)));
      expect(created.map((result) => (result.status === 'rejected' ? String(result.reason) : 'created'))).toEqual(['created', 'created', 'created', 'created']);
      expect((await fresh.list()).filter((r) => r.running)).toHaveLength(4);
    } finally {
      for (const replica of await fresh.list()) await fresh.remove(replica.id, 0).catch(() => undefined);
      rmSync(freshData, { recursive: true, force: true });
    }
  });
});
