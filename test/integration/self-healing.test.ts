// The reconcile loop repairs what breaks: a killed replica is replaced, a killed HAProxy is restarted and refilled.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeClient } from '../../haproxy/runtime-client.js';
import { BACKEND_NAME } from '../../electron/core/service/haproxy-backend.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { startPlane, waitFor, type PlaneFixture, hostsThroughFrontend } from '../support/control-plane-fixture.js';

describe.skipIf(!hasHaproxy() || !hasDocker())('self-healing with Docker replicas', () => {
  let fixture: PlaneFixture;
  const docker = new Dockerode();

  beforeAll(async () => {
    fixture = await startPlane({ driver: 'docker' }, { desired: 2 });
    await waitFor(() => fixture.ready() === 2, 60_000, '2 ready replicas');
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it('replaces a replica killed with docker kill, and takes it out of HAProxy', async () => {
    const client = new RuntimeClient(path.join(fixture.dataDir, 'haproxy.sock'));
    const victim = fixture.plane.snapshot().replicas[0]!;
    const killedAt = Date.now();
    await docker.getContainer(victim.id).kill();

    // Generous bounds only: how fast this is, is measured by the benchmark, not asserted here.
    await waitFor(async () => !(await client.showServersState(BACKEND_NAME)).some((s) => s.name === victim.name), 60_000, 'the dead replica to leave HAProxy');
    await waitFor(() => {
      const replicas = fixture.plane.snapshot().replicas;
      return replicas.length === 2 && replicas.every((r) => r.state === 'ready' && r.id !== victim.id);
    }, 60_000, 'a replacement to be ready');
    const hosts = await hostsThroughFrontend(fixture.frontend, 6);
    console.log(`[self-healing] replacement serving ${((Date.now() - killedAt) / 1000).toFixed(1)} s after docker kill`);
    expect(hosts.size).toBe(2);
    expect(hosts.has(victim.id.slice(0, 12))).toBe(false);
  });

  it('restarts a killed HAProxy with every ready replica registered again', async () => {
    const pidFile = path.join(fixture.dataDir, 'haproxy.pid');
    const oldPid = Number(readFileSync(pidFile, 'utf8').trim().split('\n')[0]);
    const ready = fixture.plane.snapshot().replicas.filter((r) => r.state === 'ready').map((r) => r.name).sort();
    expect(ready).toHaveLength(2);
    const killedAt = Date.now();
    process.kill(oldPid, 'SIGKILL');

    const client = new RuntimeClient(path.join(fixture.dataDir, 'haproxy.sock'));
    await waitFor(async () => {
      // Until the old worker notices its master died it still answers on the socket: wait for the new instance.
      if (Number(readFileSync(pidFile, 'utf8').trim().split('\n')[0]) === oldPid) return false;
      const servers = await client.showServersState(BACKEND_NAME);
      return servers.filter((s) => s.operational === 'running' && !s.maint).map((s) => s.name).sort().join() === ready.join();
    }, 60_000, 'HAProxy to be back with both replicas UP', 25);
    const tookMs = Date.now() - killedAt;
    const newPid = Number(readFileSync(pidFile, 'utf8').trim().split('\n')[0]);
    expect(newPid).not.toBe(oldPid);
    expect((await hostsThroughFrontend(fixture.frontend, 4)).size).toBe(2);
    console.log(`[self-healing] HAProxy back with ${ready.length} replicas registered ${(tookMs / 1000).toFixed(1)} s after kill -9`);
  });
});
