// First run on a real machine: each setup check (Docker, HAProxy, the image, the frontend port) with the real thing
// absent and present. Absent things are simulated without harming the machine: a Docker socket path that does not
// exist, a HAProxy binary path that does not exist, an image tag never built, a port this test holds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SetupCheck, Snapshot } from '../../electron/contract/contract.js';
import { createControlPlane } from '../../electron/core/compose-control-plane.js';
import { API_IMAGE_TAG } from '../../electron/core/image/image-builder.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { startHeadlessServer } from '../../electron/shells/headless/headless-server.js';
import { parseHaproxyVersion } from '../../haproxy/version.js';
import { freePort, repoPaths, startPlane, waitFor } from '../support/control-plane-fixture.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';

/** Everything a test started, stopped afterwards even when the test fails half-way. */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A control plane with no replicas wanted, so that only the checks are exercised (fast). */
async function startIdlePlane(settings: Parameters<typeof startPlane>[0]) {
  const fixture = await startPlane({ minReplicas: 0, ...settings }, { desired: 0 });
  cleanups.push(() => fixture.stop());
  return fixture;
}

function checkOf(snapshot: Snapshot, id: SetupCheck['id']): SetupCheck {
  const found = snapshot.checks.find((c) => c.id === id);
  if (!found) throw new Error(`the snapshot has no ${id} check: ${JSON.stringify(snapshot.checks)}`);
  return found;
}

function holdPort(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const held = net.createServer();
    held.once('error', reject);
    held.listen(port, '127.0.0.1', () => resolve());
    cleanups.push(() => new Promise<void>((done) => held.close(() => done())));
  });
}

describe('first run: Docker', () => {
  it.skipIf(!hasHaproxy())('without a Docker engine, says how to start it and runs the replicas as local processes', async () => {
    const socket = `/tmp/scaledeck-absent-${process.pid}-${Date.now()}.sock`;
    const fixture = await startPlane({ dockerHost: `unix://${socket}` });
    cleanups.push(() => fixture.stop());

    const snapshot = fixture.plane.snapshot();
    expect(snapshot.settings.driver).toBe('docker');
    expect(snapshot.docker).toEqual({ reachable: false, version: null });
    const docker = checkOf(snapshot, 'docker');
    expect(docker.ok).toBe(false);
    expect(docker.message).toContain(socket);
    expect(docker.fix).toContain('sudo systemctl start docker');
    expect(docker.fix).toContain('usermod -aG docker');
    expect(snapshot.events).toContainEqual(expect.objectContaining({ kind: 'docker', message: expect.stringMatching(/No Docker engine answers: replicas run as local processes/) }));

    // With no engine reachable, a ready replica can only be a local process; its pid file says so.
    await waitFor(() => fixture.ready() === 1, 30_000, 'one ready replica on the process driver');
    const replica = fixture.plane.snapshot().replicas[0]!;
    const pidFiles = readdirSync(fixture.dataDir, { recursive: true }).map(String);
    expect(pidFiles.some((file) => path.basename(file) === `${replica.name}.json`)).toBe(true);
  });

  it.skipIf(!hasDocker() || !hasHaproxy())('with a Docker engine, reports it ok with its version', async () => {
    const version = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).trim();
    const fixture = await startIdlePlane({ driver: 'docker' });
    const snapshot = fixture.plane.snapshot();
    expect(checkOf(snapshot, 'docker')).toEqual({ id: 'docker', ok: true, message: `Docker ${version}` });
    expect(snapshot.docker).toEqual({ reachable: true, version });
  });
});

describe('first run: HAProxy', () => {
  it('without HAProxy, says to install it, does not crash, and still answers for its snapshot', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scaledeck-it-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const store = new SettingsStore(dataDir);
    store.update({ driver: 'process', frontendPort: await freePort(), statsPort: await freePort(), minReplicas: 0, mode: 'manual' });
    store.setDesired(0);
    const missingBin = path.join(dataDir, 'no-such-haproxy');
    const plane = await createControlPlane({ dataDir, paths: repoPaths, app: `it${process.pid}`, haproxyBin: missingBin });
    cleanups.push(() => plane.shutdown({ keepRunning: false }));

    const haproxy = checkOf(plane.snapshot(), 'haproxy');
    expect(haproxy.ok).toBe(false);
    expect(haproxy.message).toContain(`not found at ${missingBin}`);
    expect(haproxy.fix).toContain('sudo apt install haproxy');
    expect(plane.snapshot().haproxy.running).toBe(false);
    expect(plane.snapshot().events).toContainEqual(expect.objectContaining({ kind: 'error', message: expect.stringMatching(/^HAProxy could not start/) }));

    // The dashboard still works, over HTTP too, and checking again neither crashes nor pretends.
    const server = await startHeadlessServer({ target: plane, host: '127.0.0.1', port: 0, token: 'first-run', rendererDir: path.resolve('dist/renderer') });
    cleanups.push(() => server.close());
    const reply = await fetch(`http://127.0.0.1:${server.port}/api/snapshot`, { headers: { Authorization: 'Bearer first-run' } });
    expect(reply.status).toBe(200);
    expect(checkOf((await reply.json()) as Snapshot, 'haproxy').ok).toBe(false);
    const rechecked = await plane.recheck();
    expect(rechecked).toEqual({ result: expect.arrayContaining([expect.objectContaining({ id: 'haproxy', ok: false })]) });
  });

  it.skipIf(!hasHaproxy())('with HAProxy, reports it ok with its version', async () => {
    const version = parseHaproxyVersion(execFileSync('haproxy', ['-v'], { encoding: 'utf8' }));
    const fixture = await startIdlePlane({ driver: 'process' });
    const snapshot = fixture.plane.snapshot();
    expect(checkOf(snapshot, 'haproxy')).toEqual({ id: 'haproxy', ok: true, message: `HAProxy ${version}` });
    expect(snapshot.haproxy).toMatchObject({ running: true, version });
  });
});

describe.skipIf(!hasDocker())('first run: the replica image', () => {
  it('without the image, offers to build it', async () => {
    const fixture = await startIdlePlane({ driver: 'docker', image: 'scaledeck/absent:never' });
    const image = checkOf(fixture.plane.snapshot(), 'image');
    expect(image.ok).toBe(false);
    expect(image.message).toBe('Image scaledeck/absent:never is not built yet');
    expect(image.fix).toMatch(/Build the sample image/);
    expect(fixture.plane.snapshot().imageBuild.running).toBe(false);
  });

  it('with the image, reports it present', async () => {
    const fixture = await startIdlePlane({ driver: 'docker', image: API_IMAGE_TAG });
    expect(checkOf(fixture.plane.snapshot(), 'image')).toEqual({ id: 'image', ok: true, message: `Image ${API_IMAGE_TAG} is present` });
  });
});

describe('first run: the frontend port', () => {
  it('with the port held by another program, names its PID and what to do', async () => {
    const port = await freePort();
    await holdPort(port);
    const fixture = await startIdlePlane({ driver: 'process', frontendPort: port });
    const snapshot = fixture.plane.snapshot();
    const check = checkOf(snapshot, 'port');
    expect(check.ok).toBe(false);
    expect(check.message).toMatch(new RegExp(`^Port ${port} is used by PID ${process.pid} \\(.+\\)$`));
    expect(check.fix).toMatch(/another frontendPort/);
    expect(snapshot.haproxy.running).toBe(false);
  });

  it('with the port free, reports it available', async () => {
    const fixture = await startIdlePlane({ driver: 'process' });
    const port = fixture.plane.settings.frontendPort;
    expect(checkOf(fixture.plane.snapshot(), 'port')).toEqual({ id: 'port', ok: true, message: `Frontend port ${port} is available` });
  });
});
