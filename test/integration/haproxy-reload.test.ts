// The supervisor's in-place reload against a real haproxy: same master and sockets, new worker, servers carried across.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configPath, renderHaproxyConfig } from '../../haproxy/config.js';
import { endProcesses, processesRunningConfig } from '../../haproxy/process-table.js';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { hasHaproxy } from '../support/requirements.js';
import { freePort, waitFor } from '../support/waiting.js';

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
