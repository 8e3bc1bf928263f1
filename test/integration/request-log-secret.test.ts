// The request log channel against a real haproxy: every real request is counted once, datagrams any local user can
// send to the port (no secret, a wrong one, the old format) count for nothing, a restarted app adopting the running
// haproxy keeps counting, and a reload moves to a fresh secret.
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configPath, renderHaproxyConfig, type ConfiguredServer } from '../../haproxy/config.js';
import { endProcesses, processesRunningConfig } from '../../haproxy/process-table.js';
import { RequestLogSecret } from '../../haproxy/request-log-secret.js';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { RequestLogListener } from '../../electron/core/metrics/request-log-listener.js';
import { hasHaproxy } from '../support/requirements.js';
import { freePort, sleep, waitFor } from '../support/waiting.js';

/** A forger on this machine sends what it can guess: the old format, a made-up secret, the tag with junk. */
function forgedLines(count: number, secrets: RequestLogSecret): string[] {
  return Array.from({ length: count }, (_, i) => [
    'scaledeck-req 9000 9000 200',
    `scaledeck-req ${secrets.fresh()} 9000 9000 200`,
    'scaledeck-req scaledeck-req 9000 9000 200',
  ][i % 3] as string);
}

async function sendDatagrams(port: number, lines: string[]): Promise<void> {
  const socket = createSocket('udp4');
  for (const line of lines) await new Promise<void>((resolve, reject) => socket.send(line, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  socket.close();
}

async function get(url: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  expect(response.status).toBe(200);
  await response.text();
}

describe.skipIf(!hasHaproxy())('the request log channel', () => {
  let dataDir: string;
  let backend: http.Server;
  let frontend: string;
  let supervisor: HaproxySupervisor | undefined;
  let listener: RequestLogListener | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(os.tmpdir(), 'sd-rls-'));
    backend = http.createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await supervisor?.stop().catch(() => undefined);
    await listener?.close();
    const cfg = configPath(dataDir);
    await endProcesses(await processesRunningConfig(cfg), cfg, 'SIGKILL', 2_000);
    await rm(dataDir, { recursive: true, force: true });
    await new Promise((resolve) => backend.close(resolve));
  });

  /** What the composition root builds: a secret kept in the data folder, its listener, and haproxy logging to it. */
  async function startApp(frontendPort: number, statsPort: number) {
    const secrets = new RequestLogSecret(dataDir);
    listener = new RequestLogListener(dataDir, secrets);
    const port = await listener.start();
    const server: ConfiguredServer = { name: 'web', address: '127.0.0.1', port: (backend.address() as AddressInfo).port };
    supervisor = new HaproxySupervisor({
      dataDir,
      requestLogSecret: secrets,
      renderConfig: (servers, secret) => renderHaproxyConfig({
        dataDir, frontendHost: '127.0.0.1', frontendPort, statsPort, healthPath: '/', servers: servers.length > 0 ? servers : [server],
        requestLog: secret === undefined ? undefined : { port, secret },
      }),
    });
    await supervisor.start();
    return { secrets, listener, port };
  }

  /**
   * Real requests with forged datagrams between them (paced: a flood beyond the socket's receive buffer would drop
   * real lines too, which is loss, not forgery); the listener must count exactly the real ones.
   */
  async function countsOnlyRealRequests(app: Awaited<ReturnType<typeof startApp>>, real: number) {
    const forgedPerRequest = 20;
    app.listener.take();
    for (let i = 0; i < real; i++) {
      await sendDatagrams(app.port, forgedLines(forgedPerRequest, app.secrets));
      await get(frontend);
    }
    await waitFor(() => app.listener.pending >= real, 5_000, `${real} logged requests`);
    // A forged datagram still in flight would arrive within this pause.
    await sleep(300);
    const taken = app.listener.take();
    console.log(`[request log] ${real} real requests and ${real * forgedPerRequest} forged datagrams: ${taken.count} counted, p95 ${taken.p95Ms} ms`);
    expect(taken.count).toBe(real);
    expect(taken.p95Ms).toBeLessThan(9000);
  }

  it('counts each real request and no forged datagram, across an adoption and a reload', async () => {
    const [frontendPort, statsPort] = [await freePort(), await freePort()];
    frontend = `http://127.0.0.1:${frontendPort}/`;
    const first = await startApp(frontendPort, statsPort);
    const secret = first.secrets.inUse();
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
    expect(await readFile(configPath(dataDir), 'utf8')).toContain(`scaledeck-req ${secret} %Ta`);
    await countsOnlyRealRequests(first, 20);

    // The app goes away and comes back: it adopts the running haproxy and learns its secret from the file.
    supervisor!.detach();
    await first.listener.close();
    const adopted = await startApp(frontendPort, statsPort);
    expect(supervisor!.adopted).toBe(true);
    expect(adopted.secrets.inUse()).toBe(secret);
    await countsOnlyRealRequests(adopted, 15);

    await supervisor!.reload();
    const reloaded = adopted.secrets.inUse();
    expect(reloaded).not.toBe(secret);
    expect((await readFile(adopted.secrets.path, 'utf8')).trim()).toBe(reloaded);
    await countsOnlyRealRequests(adopted, 10);
  });
});
