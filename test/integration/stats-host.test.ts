// HAProxy's stats page against a real haproxy: it answers its own address (by IP or as localhost) and refuses any
// other Host with 403, as a page that reached 127.0.0.1 under a name of its own (DNS rebinding) would send.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configPath, renderHaproxyConfig } from '../../haproxy/config.js';
import { endProcesses, processesRunningConfig } from '../../haproxy/process-table.js';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { hasHaproxy } from '../support/requirements.js';
import { freePort } from '../support/waiting.js';

function getWithHost(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error('stats page timed out')));
    request.on('error', reject);
  });
}

/** An HTTP/1.0 request with no Host header at all: the status line HAProxy answers. */
function statusWithoutHost(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.0\r\n\r\n'));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

describe.skipIf(!hasHaproxy())('the stats page', () => {
  let dataDir: string;
  let supervisor: HaproxySupervisor;
  let statsPort: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(os.tmpdir(), 'sd-stats-'));
    const frontendPort = await freePort();
    statsPort = await freePort();
    supervisor = new HaproxySupervisor({ dataDir, renderConfig: () => renderHaproxyConfig({ dataDir, frontendHost: '127.0.0.1', frontendPort, statsPort, healthPath: '/' }) });
    await supervisor.start();
  });

  afterAll(async () => {
    await supervisor?.stop().catch(() => undefined);
    const cfg = configPath(dataDir);
    await endProcesses(await processesRunningConfig(cfg), cfg, 'SIGKILL', 2_000);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers the Host of the stats URL the dashboard shows, and localhost', async () => {
    for (const host of [`127.0.0.1:${statsPort}`, `localhost:${statsPort}`, `LOCALHOST:${statsPort}`]) {
      const page = await getWithHost(statsPort, host);
      expect(page.status, host).toBe(200);
      expect(page.body).toContain('Statistics Report');
    }
  });

  it('refuses any other Host with 403 and shows nothing of the page', async () => {
    const forged = ['attacker.example', `attacker.example:${statsPort}`, `127.0.0.1:${statsPort}.attacker.example`, `127.0.0.1:${statsPort + 1}`, '127.0.0.1', `0.0.0.0:${statsPort}`];
    const statuses: string[] = [];
    for (const host of forged) {
      const page = await getWithHost(statsPort, host);
      statuses.push(`${host} ${page.status}`);
      expect(page.status, host).toBe(403);
      expect(page.body).not.toContain('Statistics Report');
    }
    const noHost = await statusWithoutHost(statsPort);
    console.log(`[stats Host] ${statuses.join(', ')}, no Host: ${noHost}`);
    expect(noHost).toMatch(/^HTTP\/1\.[01] 403/);
  });
});
