// Slow start against a real haproxy: a server added at run time, or a spare taken into rotation, ramps its share of traffic.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HaproxyBackend } from '../../electron/core/service/haproxy-backend.js';
import { renderHaproxyConfig } from '../../haproxy/config.js';
import { writeHoldScript } from '../../haproxy/request-hold.js';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { hasHaproxy } from '../support/requirements.js';
import { freePort, sleep, waitFor } from '../support/waiting.js';

const BACKEND = 'scaledeck';

async function namedServer(name: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((_request, response) => response.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Sends `count` GETs one after another and counts who answered. */
async function shares(frontend: string, count: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const response = await fetch(frontend, { signal: AbortSignal.timeout(5_000) });
    const name = await response.text();
    seen.set(name, (seen.get(name) ?? 0) + 1);
  }
  return seen;
}

describe.skipIf(!hasHaproxy())('slow start on a real haproxy', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(slowStartS: number) {
    const dataDir = await mkdtemp(join(os.tmpdir(), 'sd-slow-'));
    const [frontendPort, statsPort] = [await freePort(), await freePort()];
    await writeHoldScript(dataDir);
    const supervisor = new HaproxySupervisor({
      dataDir,
      renderConfig: () => renderHaproxyConfig({ dataDir, frontendHost: '127.0.0.1', frontendPort, statsPort, healthPath: '/', backendName: BACKEND, holdTimeoutS: 5 }),
    });
    cleanups.push(async () => {
      await supervisor.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    await supervisor.start();
    const backend = new HaproxyBackend(() => supervisor.client, BACKEND, undefined, () => slowStartS);
    const servers = await Promise.all([namedServer('old'), namedServer('new')]);
    for (const server of servers) cleanups.push(server.close);
    const frontend = `http://127.0.0.1:${frontendPort}/`;
    const upAndServing = async (name: string) => {
      await waitFor(async () => (await backend.servers()).find((s) => s.name === name)?.up, 10_000, `${name} UP`);
    };
    // The server already serving joined without a ramp, so the only ramp measured is the new one's.
    await new HaproxyBackend(() => supervisor.client, BACKEND).add('old', '127.0.0.1', servers[0].port);
    await upAndServing('old');
    return {
      backend, frontend,
      addNew: async (inRotation = true) => {
        await backend.add('new', '127.0.0.1', servers[1].port, undefined, { inRotation });
        await upAndServing('new');
      },
    };
  }

  it('gives a server that just joined a small share at first, and an even share once the ramp is over', async () => {
    const { frontend, addNew } = await start(3);
    await addNew();
    const early = await shares(frontend, 60);
    await sleep(3_500);
    const late = await shares(frontend, 60);
    console.log(`[slow start 3 s] first 60 requests: ${early.get('new') ?? 0} to the new server; after the ramp: ${late.get('new') ?? 0} of 60`);
    expect(early.get('new') ?? 0).toBeLessThan(20);
    expect(late.get('new') ?? 0).toBeGreaterThanOrEqual(25);
    expect(late.get('new') ?? 0).toBeLessThanOrEqual(35);
  });

  it('without slow start, splits evenly from the first request', async () => {
    const { frontend, addNew } = await start(0);
    await addNew();
    const early = await shares(frontend, 60);
    expect(early.get('new') ?? 0).toBeGreaterThanOrEqual(25);
    expect(early.get('new') ?? 0).toBeLessThanOrEqual(35);
  });

  it('ramps a warm spare taken into rotation too, although its own ramp ran out while it waited', async () => {
    const { backend, frontend, addNew } = await start(2);
    await addNew(false);
    const whileSpare = await shares(frontend, 20);
    expect(whileSpare.get('new') ?? 0).toBe(0);
    await sleep(2_500);
    await backend.ready('new', { rampUp: true });
    const early = await shares(frontend, 60);
    console.log(`[slow start 2 s] a promoted spare got ${early.get('new') ?? 0} of its first 60 requests`);
    expect(early.get('new') ?? 0).toBeGreaterThan(0);
    expect(early.get('new') ?? 0).toBeLessThan(20);
  });
});
