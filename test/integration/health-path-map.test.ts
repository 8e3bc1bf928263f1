// Per-server health paths on a real haproxy 2.6: two servers checked on two paths side by side (old and new
// generation during a rollout), the paths read back from the map file by a restarted haproxy, and a server without
// an entry checked on the default path (so the check can fail).
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthPathMapPath, renderHaproxyConfig } from '../../haproxy/config.js';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { BACKEND_NAME, HaproxyBackend } from '../../electron/core/service/haproxy-backend.js';
import { hasHaproxy } from '../support/requirements.js';
import { freePort, waitFor } from '../support/waiting.js';

/** Answers 200 on `path` only, 404 elsewhere: a replica that knows one health path. */
function serverAnswering(path: string): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    response.statusCode = request.url === path ? 200 : 404;
    response.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const portOf = (server: http.Server) => (server.address() as AddressInfo).port;
/** More than `fall 2` checks at `inter 1000`: a server checked on a path it does not answer is DOWN by then. */
const CHECKS_SETTLE_MS = 3500;

describe.skipIf(!hasHaproxy())('per-server health paths in HAProxy', () => {
  let dataDir: string;
  let supervisor: HaproxySupervisor;
  let backend: HaproxyBackend;
  let onlyOld: http.Server;
  let onlyNew: http.Server;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(os.tmpdir(), 'sd-hpm-'));
    const map = healthPathMapPath(dataDir);
    writeFileSync(map, '');
    const [frontendPort, statsPort] = [await freePort(), await freePort()];
    // The setting says /new: what a server without an entry of its own is checked on.
    const renderConfig = () => renderHaproxyConfig({ dataDir, frontendHost: '127.0.0.1', frontendPort, statsPort, healthPath: '/new', backendName: BACKEND_NAME, healthPathMap: map });
    supervisor = new HaproxySupervisor({ dataDir, renderConfig });
    await supervisor.start();
    backend = new HaproxyBackend(() => supervisor.client, BACKEND_NAME, map);
    [onlyOld, onlyNew] = await Promise.all([serverAnswering('/old'), serverAnswering('/new')]);
  });

  afterAll(async () => {
    await supervisor?.stop();
    onlyOld?.close();
    onlyNew?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const upOf = async (name: string) => (await backend.servers()).find((s) => s.name === name)?.up;

  it('checks each server on its own path, side by side', async () => {
    await backend.add('old-1', '127.0.0.1', portOf(onlyOld), '/old');
    await backend.add('new-1', '127.0.0.1', portOf(onlyNew), '/new');
    await new Promise((resolve) => setTimeout(resolve, CHECKS_SETTLE_MS));
    expect(await upOf('old-1')).toBe(true);
    expect(await upOf('new-1')).toBe(true);
    expect(readFileSync(healthPathMapPath(dataDir), 'utf8')).toBe('old-1 /old\nnew-1 /new\n');
  }, 15_000);

  it('marks a server DOWN when it does not answer the path it is checked on (no entry: the setting\'s path)', async () => {
    await supervisor.client.addServer(BACKEND_NAME, 'unlisted', '127.0.0.1', portOf(onlyOld));
    await supervisor.client.enableHealth(BACKEND_NAME, 'unlisted');
    await waitFor(async () => (await upOf('unlisted')) === false, 10_000, 'the unlisted server DOWN');
    await backend.remove('unlisted', 3000);
  }, 15_000);

  it('a restarted HAProxy reads the paths back from the map file for servers added again without an entry', async () => {
    await supervisor.restart();
    // As a reload that carries its servers across does: servers come back, nobody sets their map entries.
    for (const [name, server] of [['old-1', onlyOld], ['new-1', onlyNew]] as const) {
      await supervisor.client.addServer(BACKEND_NAME, name, '127.0.0.1', portOf(server));
      await supervisor.client.enableHealth(BACKEND_NAME, name);
      await supervisor.client.setState(BACKEND_NAME, name, 'ready');
    }
    await new Promise((resolve) => setTimeout(resolve, CHECKS_SETTLE_MS));
    expect(await upOf('old-1')).toBe(true);
    expect(await upOf('new-1')).toBe(true);
  }, 20_000);

  it('forgets a server\'s path when the server is removed', async () => {
    await backend.remove('old-1', 3000);
    expect(readFileSync(healthPathMapPath(dataDir), 'utf8')).toBe('new-1 /new\n');
  }, 10_000);
});
