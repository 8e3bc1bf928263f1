// The supervisor's in-place reload against a real haproxy: same master and sockets, new worker, servers carried across;
// under load every request is answered, and a reload that forgets the runtime-added servers (the negative control)
// loses requests that the same count sees.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closingAclPath, configPath, renderHaproxyConfig } from '../../haproxy/config.js';
import { endProcesses, processesRunningConfig } from '../../haproxy/process-table.js';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { createApiServer, type ApiServer } from '../../api/server.js';
import { hasHaproxy } from '../support/requirements.js';
import { freePort, sleep, waitFor } from '../support/waiting.js';
import { expectEveryRequestAnswered, loadLine, runLoad, type LoadRun } from '../support/load-run.js';
import { reloadThroughMaster, withoutServers } from '../support/loss-controls.js';

const BACKEND = 'scaledeck';

describe.skipIf(!hasHaproxy())('reloading HAProxy in place (real haproxy)', () => {
  let dataDir: string;
  let backendServer: http.Server;
  let backendPort: number;
  let supervisor: HaproxySupervisor;
  const settings = { frontendHost: '127.0.0.1', frontendPort: 0, statsPort: 0, healthPath: '/health' };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(os.tmpdir(), 'sd-reload-'));
    settings.frontendPort = await freePort();
    settings.statsPort = await freePort();
    backendServer = http.createServer((request, response) => response.end(`served ${request.url}`));
    await new Promise<void>((resolve) => backendServer.listen(0, '127.0.0.1', resolve));
    backendPort = (backendServer.address() as AddressInfo).port;
    supervisor = new HaproxySupervisor({ dataDir, renderConfig: (servers) => renderHaproxyConfig({ dataDir, ...settings, servers }) });
    await supervisor.start();
  });

  afterAll(async () => {
    await supervisor?.stop().catch(() => undefined);
    const cfg = configPath(dataDir);
    await endProcesses(await processesRunningConfig(cfg), cfg, 'SIGKILL', 2_000);
    await rm(dataDir, { recursive: true, force: true });
    await new Promise((resolve) => backendServer.close(resolve));
  });

  it('keeps the master, takes a new worker and carries runtime-added servers across in their state', async () => {
    const { client } = supervisor;
    // A server removed before the reload shifts the others' ids: state must follow names, not ids.
    await client.addServer(BACKEND, 'r0', '127.0.0.1', backendPort);
    await client.addServer(BACKEND, 'r1', '127.0.0.1', backendPort);
    await client.addServer(BACKEND, 'r2', '127.0.0.1', backendPort);
    for (const name of ['r1', 'r2']) await client.enableHealth(BACKEND, name);
    await client.setState(BACKEND, 'r1', 'ready');
    await client.setState(BACKEND, 'r2', 'drain');
    expect(await client.removeServer(BACKEND, 'r0')).toBe(true);
    const master = supervisor.pid;
    const oldWorker = (await client.showInfo()).Pid;

    settings.healthPath = '/ready';
    let reloaded = false;
    supervisor.once('reloaded', () => (reloaded = true));
    await supervisor.reload();

    expect(reloaded).toBe(true);
    expect(supervisor.pid).toBe(master);
    expect((await client.showInfo()).Pid).not.toBe(oldWorker);
    expect(await readFile(configPath(dataDir), 'utf8')).toContain('option httpchk GET /ready');
    const servers = await client.showServersState(BACKEND);
    expect(servers.map((s) => [s.name, s.port, s.drain, s.maint])).toEqual([['r1', backendPort, false, false], ['r2', backendPort, true, false]]);
    const answer = await waitFor(async () => (await fetch(`http://127.0.0.1:${settings.frontendPort}/x`)).text(), 5_000, 'the frontend to answer');
    expect(answer).toBe('served /x');

    // The carried-over servers are still removable the way runtime-added ones are.
    expect(await client.removeServer(BACKEND, 'r2')).toBe(true);
    expect((await client.showServersState(BACKEND)).map((s) => s.name)).toEqual(['r1']);
  });

  it('says what haproxy refuses in a config without touching the running one', async () => {
    const worker = (await supervisor.client.showInfo()).Pid;
    const before = await readFile(configPath(dataDir), 'utf8');
    await expect(supervisor.checkConfig(`${before}    bogus-directive 1\n`)).rejects.toThrow(/HAProxy refuses this configuration: .*bogus-directive/);
    expect(await readFile(configPath(dataDir), 'utf8')).toBe(before);
    expect((await supervisor.client.showInfo()).Pid).toBe(worker);
  });

  it('tells a config with other settings from one that differs only in carried-over servers', async () => {
    expect(await supervisor.configIsStale()).toBe(false);
    settings.statsPort = await freePort();
    expect(await supervisor.configIsStale()).toBe(true);
    await supervisor.reload();
    expect(await supervisor.configIsStale()).toBe(false);
    expect((await fetch(`http://127.0.0.1:${settings.statsPort}/`)).status).toBe(200);
  });

  it('moves the frontend to another address on the same port in place', async () => {
    const events: string[] = [];
    supervisor.on('reloaded', () => events.push('reloaded'));
    supervisor.on('restarted', () => events.push('restarted'));
    settings.frontendHost = '0.0.0.0';
    await supervisor.reload();
    expect(events).toEqual(['reloaded']);
    expect(await readFile(configPath(dataDir), 'utf8')).toContain(`bind 0.0.0.0:${settings.frontendPort}`);
    expect((await fetch(`http://127.0.0.1:${settings.frontendPort}/moved`)).status).toBe(200);
  });
});

describe.skipIf(!hasHaproxy())('reloading HAProxy under load (real haproxy, two sample api servers)', () => {
  let dataDir: string;
  let apis: ApiServer[];
  let supervisor: HaproxySupervisor;
  let frontendPort: number;
  const body = Buffer.alloc(64 * 1024, 'x');

  beforeAll(async () => {
    dataDir = await mkdtemp(join(os.tmpdir(), 'sd-reload-load-'));
    frontendPort = await freePort();
    const closingAcl = closingAclPath(dataDir);
    await writeFile(closingAcl, '');
    const settings = { frontendHost: '127.0.0.1', frontendPort, statsPort: await freePort(), healthPath: '/healthz', closingAcl };
    apis = ['api-a', 'api-b'].map((hostName) => createApiServer({ hostName }));
    await Promise.all(apis.map((api) => new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve))));
    // No request hold: a backend without servers answers 503 at once, so a reload that loses them shows.
    supervisor = new HaproxySupervisor({ dataDir, closingAcl, renderConfig: (servers) => renderHaproxyConfig({ dataDir, ...settings, servers }) });
    await supervisor.start();
    for (const [i, api] of apis.entries()) {
      await supervisor.client.addServer(BACKEND, `s${i}`, '127.0.0.1', (api.server.address() as AddressInfo).port);
      await supervisor.client.enableHealth(BACKEND, `s${i}`);
      await supervisor.client.setState(BACKEND, `s${i}`, 'ready');
    }
  });

  afterAll(async () => {
    await supervisor?.stop().catch(() => undefined);
    const cfg = configPath(dataDir);
    await endProcesses(await processesRunningConfig(cfg), cfg, 'SIGKILL', 2_000);
    await rm(dataDir, { recursive: true, force: true });
    for (const api of apis) {
      api.server.closeAllConnections();
      await new Promise((resolve) => api.server.close(resolve));
    }
  });

  /** GET / at 100/s and POST /echo with 64 KiB bodies at 40/s, for 12 s; `reload` runs three times meanwhile. */
  async function reloadsUnderLoad(label: string, reload: () => Promise<unknown>) {
    const url = (path: string) => `http://127.0.0.1:${frontendPort}${path}`;
    const loads: LoadRun[] = [
      runLoad({ url: url('/'), rate: 100, durationS: 12 }),
      runLoad({ url: url('/echo'), rate: 40, durationS: 12, method: 'POST', body }),
    ];
    for (let i = 0; i < 3; i++) {
      await sleep(2500);
      await reload();
    }
    expect(loads.every((load) => !load.progress().finished)).toBe(true);
    const [get, post] = await Promise.all(loads.map((load) => load.done));
    console.log(`[${label}] ${loadLine('GET', get!)}; ${loadLine('POST 64 KiB', post!)}`);
    expect([get!.issued, post!.issued]).toEqual([1200, 480]);
    return { get: get!, post: post! };
  }

  it('answers every GET and 64 KiB POST across three reloads that carry the servers across and end keep-alive first', async () => {
    const workers = new Set([(await supervisor.client.showInfo()).Pid]);
    const { get, post } = await reloadsUnderLoad('hitless reload x3', async () => {
      await supervisor.reload();
      workers.add((await supervisor.client.showInfo()).Pid);
    });
    expect(workers.size).toBe(4);
    expectEveryRequestAnswered(get, 1200, 'GET');
    expectEveryRequestAnswered(post, 480, 'POST 64 KiB');
    expect(get.hosts).toEqual(new Set(['api-a', 'api-b']));
  });

  it('negative control: the same reloads through the master with a config that lacks the runtime-added servers lose requests', async () => {
    const { get, post } = await reloadsUnderLoad('negative control / reload x3 without the servers', async () => {
      await reloadThroughMaster(dataDir, withoutServers);
      // The app would notice on its next tick (500 ms) and add the servers again; so does this, for the next reload.
      await sleep(500);
      for (const [i, api] of apis.entries()) {
        await supervisor.client.addServer(BACKEND, `s${i}`, '127.0.0.1', (api.server.address() as AddressInfo).port);
        await supervisor.client.enableHealth(BACKEND, `s${i}`);
        await supervisor.client.setState(BACKEND, `s${i}`, 'ready');
      }
    });
    expect(get.ok2xx).toBeLessThan(get.issued);
    expect(post.ok2xx).toBeLessThan(post.issued);
  });
});
