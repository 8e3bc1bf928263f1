// The HAProxy integration against a real haproxy: config check, supervision, adoption and live server changes.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configPath, renderHaproxyConfig, type HaproxyConfigStyle } from '../../haproxy/config.js';
import { endProcesses, processesRunningConfig } from '../../haproxy/process-table.js';
import { HaproxyCommandError } from '../../haproxy/runtime-client.js';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { hasHaproxy } from '../support/requirements.js';

const FRONTEND_PORT = 18090;
const STATS_PORT = 18091;
const MOVED_FRONTEND_PORT = 18092;
const BLOCKED_FRONTEND_PORT = 18093;
const BACKEND = 'scaledeck';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // No keep-alive: an idle client connection would hold up HAProxy's soft stop.
    const request = http.get(url, { agent: false, headers: { connection: 'close' }, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function nextEvent(supervisor: HaproxySupervisor, event: 'down' | 'restarted' | 'restart-failed', timeoutMs: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    supervisor.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

/** Process group and session of a pid, from /proc/<pid>/stat. */
function groupAndSession(pid: number): { pgrp: number; session: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgrp: Number(fields[2]), session: Number(fields[3]) };
}

describe.skipIf(!hasHaproxy())('HAProxy integration (real haproxy)', () => {
  let dataDir: string;
  let badDataDir: string;
  let frontendPort = FRONTEND_PORT;
  let backendServer: http.Server;
  let backendPort: number;
  const supervisors: HaproxySupervisor[] = [];

  const render = (style: HaproxyConfigStyle = 'scaledeck'): string =>
    renderHaproxyConfig({ dataDir, frontendHost: '127.0.0.1', frontendPort, statsPort: STATS_PORT, healthPath: '/health', style });

  function supervise(): HaproxySupervisor {
    const supervisor = new HaproxySupervisor({ dataDir, renderConfig: () => render() });
    supervisors.push(supervisor);
    return supervisor;
  }

  const first = (): HaproxySupervisor => supervisors[0];

  beforeAll(async () => {
    // Short paths: a UNIX socket path may not exceed 107 bytes.
    dataDir = await mkdtemp(join(os.tmpdir(), 'sd-hap-'));
    badDataDir = await mkdtemp(join(os.tmpdir(), 'sd-hap-bad-'));
    backendServer = http.createServer((request, response) => {
      response.setHeader('connection', 'close');
      const delayMs = request.url === '/slow' ? 1_500 : 0;
      setTimeout(() => response.end(request.url === '/health' ? 'ok' : `served by the test backend: ${request.url}`), delayMs);
    });
    await new Promise<void>((resolve) => backendServer.listen(0, '127.0.0.1', resolve));
    backendPort = (backendServer.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const supervisor of supervisors) await supervisor.stop().catch(() => undefined);
    for (const dir of [dataDir, badDataDir]) {
      const cfg = configPath(dir);
      await endProcesses(await processesRunningConfig(cfg), cfg, 'SIGKILL', 2_000);
      await rm(dir, { recursive: true, force: true });
    }
    await new Promise((resolve) => backendServer.close(resolve));
  });

  it.each(['scaledeck', 'seed'] as const)('renders a %s-style config that haproxy -c accepts', async (style) => {
    const file = join(dataDir, `check-${style}.cfg`);
    await writeFile(file, render(style));
    const output = execFileSync('haproxy', ['-c', '-f', file], { encoding: 'utf8', stdio: 'pipe' });
    expect(output).toContain('Configuration file is valid');
  });

  it('refuses to start on a config haproxy rejects, quoting haproxy', async () => {
    const supervisor = new HaproxySupervisor({
      dataDir: badDataDir,
      renderConfig: () => `${renderHaproxyConfig({ dataDir: badDataDir, frontendHost: '127.0.0.1', frontendPort, statsPort: STATS_PORT, healthPath: '/health' })}    bogus-directive 1\n`,
    });
    await expect(supervisor.start()).rejects.toThrow(/HAProxy rejected the generated config.*unknown keyword 'bogus-directive'/);
    expect(supervisor.running).toBe(false);
    expect(await processesRunningConfig(configPath(badDataDir))).toEqual([]);
  });

  it('starts haproxy detached from our process group, answering on its socket', async () => {
    const supervisor = supervise();
    await supervisor.start();
    expect(supervisor.running).toBe(true);
    expect(supervisor.adopted).toBe(false);
    expect(supervisor.version).toMatch(/^\d+\.\d+/);
    const pid = supervisor.pid as number;
    expect(readFileSync(join(dataDir, 'haproxy.pid'), 'utf8').trim()).toBe(String(pid));
    const ours = groupAndSession(process.pid);
    const theirs = groupAndSession(pid);
    expect(theirs.pgrp).not.toBe(ours.pgrp);
    expect(theirs.session).not.toBe(ours.session);
    const info = await supervisor.client.showInfo();
    expect(info.Version).toMatch(/^\d+\.\d+/);
    expect(Number(info.Uptime_sec)).toBeGreaterThanOrEqual(0);
  });

  it('sends requests through the frontend to a server added at run time once it is healthy', async () => {
    const client = first().client;
    await client.addServer(BACKEND, 'web-1', '127.0.0.1', backendPort, { checkInterMs: 300 });
    await client.enableHealth(BACKEND, 'web-1');
    await client.setState(BACKEND, 'web-1', 'ready');
    await until('web-1 UP', async () => {
      const row = (await client.showStat()).find((r) => r.proxy === BACKEND && r.server === 'web-1');
      return row?.status === 'UP' && row.checkStatus.includes('L7OK') ? row : undefined;
    });
    const [state] = await client.showServersState(BACKEND);
    expect(state).toMatchObject({ name: 'web-1', address: '127.0.0.1', port: backendPort, operational: 'running', maint: false });
    const response = await get(`http://127.0.0.1:${frontendPort}/hello`);
    expect(response).toEqual({ status: 200, body: 'served by the test backend: /hello' });
    const frontend = (await client.showStat()).find((r) => r.proxy === 'scaledeck_in' && r.kind === 'frontend');
    expect(frontend?.requestsTotal).toBeGreaterThanOrEqual(1);
  });

  it('refuses to add a server twice and to delete a server that is not in maintenance', async () => {
    const client = first().client;
    await expect(client.addServer(BACKEND, 'web-1', '127.0.0.1', backendPort)).rejects.toThrow(/Already exists/);
    await expect(client.delServer(BACKEND, 'web-1')).rejects.toBeInstanceOf(HaproxyCommandError);
    await expect(client.setState(BACKEND, 'no-such', 'drain')).rejects.toThrow(/No such server/);
  });

  it('drains, then puts in maintenance and deletes a server', async () => {
    const client = first().client;
    await client.setState(BACKEND, 'web-1', 'drain');
    expect((await client.showServersState(BACKEND))[0]).toMatchObject({ name: 'web-1', drain: true, maint: false });
    expect(await client.removeServer(BACKEND, 'web-1', { timeoutMs: 10_000 })).toBe(true);
    expect(await client.showServersState(BACKEND)).toEqual([]);
    expect((await get(`http://127.0.0.1:${frontendPort}/gone`)).status).toBe(503);
    expect(await client.removeServer(BACKEND, 'web-1')).toBe(false);
  });

  it('deletes a server only after the request it is serving has completed', async () => {
    const client = first().client;
    await client.addServer(BACKEND, 'web-slow', '127.0.0.1', backendPort, { checkInterMs: 300 });
    await client.enableHealth(BACKEND, 'web-slow');
    await client.setState(BACKEND, 'web-slow', 'ready');
    await until('web-slow UP', async () => ((await client.showServersState(BACKEND))[0]?.operational === 'running' ? true : undefined));
    const slow = get(`http://127.0.0.1:${frontendPort}/slow`);
    await until('the slow request in flight', async () => {
      const row = (await client.showStat()).find((r) => r.proxy === BACKEND && r.server === 'web-slow');
      return row && row.scur > 0 ? row : undefined;
    });
    let removedAt = 0;
    let answeredAt = 0;
    await Promise.all([
      client.removeServer(BACKEND, 'web-slow', { timeoutMs: 10_000 }).then(() => (removedAt = Date.now())),
      slow.then((response) => {
        answeredAt = Date.now();
        expect(response).toEqual({ status: 200, body: 'served by the test backend: /slow' });
      }),
    ]);
    expect(removedAt).toBeGreaterThanOrEqual(answeredAt);
    expect(await client.showServersState(BACKEND)).toEqual([]);
  });

  it('restarts haproxy after kill -9 of its master, emitting down then restarted', async () => {
    const supervisor = first();
    const before = supervisor.pid as number;
    const events: string[] = [];
    supervisor.once('down', () => events.push('down'));
    const restarted = nextEvent(supervisor, 'restarted', 30_000).then(() => events.push('restarted'));
    process.kill(before, 'SIGKILL');
    await restarted;
    expect(events).toEqual(['down', 'restarted']);
    expect(supervisor.running).toBe(true);
    expect(supervisor.pid).not.toBe(before);
    expect((await supervisor.client.showInfo()).Name).toBe('HAProxy');
    expect(await processesRunningConfig(configPath(dataDir))).toContain(supervisor.pid);
  });

  it('restarts haproxy when only its worker dies', async () => {
    const supervisor = first();
    const master = supervisor.pid as number;
    const workers = (await processesRunningConfig(configPath(dataDir))).filter((pid) => pid !== master);
    expect(workers.length).toBeGreaterThan(0);
    const restarted = nextEvent(supervisor, 'restarted', 30_000);
    process.kill(workers[0], 'SIGKILL');
    await restarted;
    expect(supervisor.running).toBe(true);
    expect((await supervisor.client.showInfo()).Name).toBe('HAProxy');
  });

  it('re-renders the config on restart(), so a moved frontend port takes effect', async () => {
    const supervisor = first();
    const client = supervisor.client;
    frontendPort = MOVED_FRONTEND_PORT;
    const restarted = nextEvent(supervisor, 'restarted', 20_000);
    await supervisor.restart();
    await restarted;
    expect(readFileSync(configPath(dataDir), 'utf8')).toContain(`bind 127.0.0.1:${MOVED_FRONTEND_PORT}`);
    await client.addServer(BACKEND, 'web-2', '127.0.0.1', backendPort, { checkInterMs: 300 });
    await client.enableHealth(BACKEND, 'web-2');
    await client.setState(BACKEND, 'web-2', 'ready');
    const response = await until('a response on the moved port', async () => {
      const answer = await get(`http://127.0.0.1:${MOVED_FRONTEND_PORT}/moved`);
      return answer.status === 200 ? answer : undefined;
    });
    expect(response.body).toBe('served by the test backend: /moved');
    await expect(get(`http://127.0.0.1:${FRONTEND_PORT}/`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reports a frontend port in use, then starts by itself once the port is free', async () => {
    const supervisor = first();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(BLOCKED_FRONTEND_PORT, '127.0.0.1', resolve));
    frontendPort = BLOCKED_FRONTEND_PORT;
    try {
      await expect(supervisor.restart()).rejects.toThrow(/cannot bind socket \(Address already in use\).*Another program uses that port/);
      expect(supervisor.running).toBe(false);
      await nextEvent(supervisor, 'restart-failed', 10_000);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    await nextEvent(supervisor, 'restarted', 15_000);
    expect(supervisor.running).toBe(true);
    expect((await get(`http://127.0.0.1:${BLOCKED_FRONTEND_PORT}/`)).status).toBe(503);
  });

  it('lets a second supervisor on the same data folder adopt the running haproxy', async () => {
    const running = first();
    await running.client.addServer(BACKEND, 'web-3', '127.0.0.1', backendPort);
    const before = await processesRunningConfig(configPath(dataDir));
    const second = supervise();
    await second.start();
    expect(second.adopted).toBe(true);
    expect(second.pid).toBe(running.pid);
    expect(await processesRunningConfig(configPath(dataDir))).toEqual(before);
    expect((await second.client.showServersState(BACKEND)).map((s) => s.name)).toEqual(['web-3']);
    running.detach();
  });

  it('stops haproxy and leaves no process of ours behind', async () => {
    const second = supervisors[1];
    await second.stop();
    expect(second.running).toBe(false);
    expect(await processesRunningConfig(configPath(dataDir))).toEqual([]);
    expect(existsSync(join(dataDir, 'haproxy.pid'))).toBe(false);
    await expect(second.client.showInfo()).rejects.toThrow(/HAProxy is not running/);
  });
});
