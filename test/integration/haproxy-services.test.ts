// Several services behind one real haproxy: each frontend reaches only its own backend, the shared frontend routes by
// Host and path, each request log line names its backend, and reloads that add or remove a service lose no request
// of the others and keep every backend's servers.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closingAclPath, configPath, renderHaproxyConfig, type ServiceRouting } from '../../haproxy/config.js';
import { endProcesses, processesRunningConfig } from '../../haproxy/process-table.js';
import { HELD_COMMAND, parseHeld, writeHoldScript } from '../../haproxy/request-hold.js';
import { RequestLogSecret } from '../../haproxy/request-log-secret.js';
import { NO_ROUTE_BODY } from '../../haproxy/service-routing.js';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { RequestLogListener } from '../../electron/core/metrics/request-log-listener.js';
import { hasHaproxy } from '../support/requirements.js';
import { freePort, sleep, waitFor } from '../support/waiting.js';
import { expectEveryRequestAnswered, loadLine, runLoad } from '../support/load-run.js';

const SERVERS_PER_SERVICE = 2;
const LOAD = { rate: 100, durationS: 6 };
const ISSUED = LOAD.rate * LOAD.durationS;

/** A replica of a service: answers every path with its name, as the sample api does (`{"host": ...}`). */
async function replica(name: string): Promise<http.Server> {
  const server = http.createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ host: name }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function get(port: number, path = '/', host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // No keep-alive: an idle client connection would hold up HAProxy's soft stop.
    const request = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close', ...(host ? { host } : {}) }, timeout: 15_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on('error', reject);
  });
}

const answeredBy = async (port: number, path?: string, host?: string) => JSON.parse((await get(port, path, host)).body).host as string;

describe.skipIf(!hasHaproxy())('several services behind one haproxy (real haproxy, node replicas)', () => {
  let dataDir: string;
  let supervisor: HaproxySupervisor;
  let listener: RequestLogListener;
  let statsPort: number;
  let sharedPort: number;
  let services: ServiceRouting[];
  const replicas = new Map<string, http.Server[]>();
  const definitions: Record<string, ServiceRouting> = {};

  async function addReplicas(backend: string): Promise<void> {
    const servers = await Promise.all(Array.from({ length: SERVERS_PER_SERVICE }, (_, i) => replica(`${backend}-${i}`)));
    replicas.set(backend, servers);
    for (const [i, server] of servers.entries()) {
      await supervisor.client.addServer(backend, `${backend}-${i}`, '127.0.0.1', (server.address() as AddressInfo).port);
      await supervisor.client.enableHealth(backend, `${backend}-${i}`);
      await supervisor.client.setState(backend, `${backend}-${i}`, 'ready');
    }
  }

  const serverNames = async (backend: string) => (await supervisor.client.showServersState(backend)).map((s) => s.name);
  const portOf = (backend: string) => (definitions[backend] as ServiceRouting).frontendPort;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(os.tmpdir(), 'sd-services-'));
    statsPort = await freePort();
    sharedPort = await freePort();
    for (const [backend, route, holdTimeoutS] of [
      ['alpha', { host: 'alpha.test' }, undefined],
      ['beta', { pathPrefix: '/beta' }, 5],
      ['gamma', { host: 'alpha.test', pathPrefix: '/gamma' }, 7],
    ] as const) {
      definitions[backend] = { backend, frontend: `${backend}_in`, frontendHost: '127.0.0.1', frontendPort: await freePort(), healthPath: '/health', route, ...(holdTimeoutS ? { holdTimeoutS } : {}) };
    }
    services = [definitions.alpha as ServiceRouting, definitions.beta as ServiceRouting];
    const closingAcl = closingAclPath(dataDir);
    await writeFile(closingAcl, '');
    await writeHoldScript(dataDir);
    const secrets = new RequestLogSecret(dataDir);
    listener = new RequestLogListener(dataDir, secrets);
    const logPort = await listener.start();
    supervisor = new HaproxySupervisor({
      dataDir, closingAcl, requestLogSecret: secrets,
      backends: () => services.map((service) => service.backend),
      renderConfig: (servers, secret) => renderHaproxyConfig({
        dataDir, statsPort, services, sharedFrontend: { host: '127.0.0.1', port: sharedPort }, servers, closingAcl,
        requestLog: secret === undefined ? undefined : { port: logPort, secret },
      }),
    });
    await supervisor.start();
    for (const service of services) await addReplicas(service.backend);
  });

  afterAll(async () => {
    await supervisor?.stop().catch(() => undefined);
    await listener?.close();
    const cfg = configPath(dataDir);
    await endProcesses(await processesRunningConfig(cfg), cfg, 'SIGKILL', 2_000);
    await rm(dataDir, { recursive: true, force: true });
    for (const server of [...replicas.values()].flat()) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sends the requests of each frontend to its own backend only', async () => {
    for (const backend of ['alpha', 'beta']) {
      await waitFor(async () => (await get(portOf(backend))).status === 200, 5_000, `${backend}'s frontend to answer`);
      const hosts = new Set<string>();
      for (let i = 0; i < 20; i++) hosts.add(await answeredBy(portOf(backend)));
      expect(hosts).toEqual(new Set([`${backend}-0`, `${backend}-1`]));
    }
  });

  it('routes the shared frontend by Host (any case, any port) and by path prefix, and answers 404 to the rest', async () => {
    expect(await answeredBy(sharedPort, '/', 'alpha.test')).toMatch(/^alpha-/);
    expect(await answeredBy(sharedPort, '/x', `ALPHA.test:${sharedPort}`)).toMatch(/^alpha-/);
    expect(await answeredBy(sharedPort, '/beta/x', 'other.test')).toMatch(/^beta-/);
    expect(await answeredBy(sharedPort, '/beta')).toMatch(/^beta-/);
    const unrouted = await get(sharedPort, '/', 'other.test');
    expect(unrouted).toEqual({ status: 404, body: NO_ROUTE_BODY });
  });

  it('names each request\'s backend in its log line, so each service gets its own latency', async () => {
    await waitFor(async () => {
      listener.take();
      await get(portOf('alpha'));
      await sleep(100);
      return listener.take().count === 1;
    }, 5_000, 'the request log to count a request');
    for (const backend of ['alpha', 'beta', 'scaledeck_shared']) listener.take(backend);
    for (let i = 0; i < 7; i++) await get(portOf('alpha'));
    for (let i = 0; i < 4; i++) await get(portOf('beta'));
    for (let i = 0; i < 3; i++) await get(sharedPort, '/beta/y');
    await get(sharedPort, '/', 'other.test');
    await waitFor(() => listener.pending >= 15, 5_000, '15 logged requests');
    await sleep(200);
    expect([listener.take('alpha').count, listener.take('beta').count, listener.take('scaledeck_shared').count]).toEqual([7, 7, 1]);
    expect(listener.take().count).toBe(15);
  });

  it('adds a service in a reload while the others serve under load: none of their requests is lost, every backend keeps its servers', async () => {
    const master = supervisor.pid;
    const loads = ['alpha', 'beta'].map((backend) => runLoad({ url: `http://127.0.0.1:${portOf(backend)}/`, ...LOAD }));
    await sleep(2_000);
    services = [...services, definitions.gamma as ServiceRouting];
    await supervisor.reload();
    expect(supervisor.pid).toBe(master);
    expect(await serverNames('alpha')).toEqual(['alpha-0', 'alpha-1']);
    expect(await serverNames('beta')).toEqual(['beta-0', 'beta-1']);
    expect(await serverNames('gamma')).toEqual([]);

    // Routed to a service with no server yet, a request is held until one comes up.
    const held = get(sharedPort, '/gamma/first', 'alpha.test');
    await waitFor(async () => parseHeld(await supervisor.client.command(HELD_COMMAND)) === 1, 3_000, 'a request held on the shared frontend');
    await addReplicas('gamma');
    expect(JSON.parse((await held).body).host).toMatch(/^gamma-/);
    expect(await answeredBy(portOf('gamma'))).toMatch(/^gamma-/);

    const [alpha, beta] = await Promise.all(loads.map((load) => load.done));
    console.log(`[add a service in a reload] ${loadLine('alpha', alpha!)}; ${loadLine('beta', beta!)}`);
    expectEveryRequestAnswered(alpha!, ISSUED, 'alpha');
    expectEveryRequestAnswered(beta!, ISSUED, 'beta');
    expect(alpha!.hosts).toEqual(new Set(['alpha-0', 'alpha-1']));
    expect(beta!.hosts).toEqual(new Set(['beta-0', 'beta-1']));
  });

  it('removes a service in a reload while the others serve under load: none of their requests is lost, their servers stay', async () => {
    const loads = ['beta', 'gamma'].map((backend) => runLoad({ url: `http://127.0.0.1:${portOf(backend)}/`, ...LOAD }));
    await sleep(2_000);
    // The first service goes: the others' backends move up in the config, and none is the first one any more.
    services = services.filter((service) => service.backend !== 'alpha');
    await supervisor.reload();
    expect(await serverNames('beta')).toEqual(['beta-0', 'beta-1']);
    expect(await serverNames('gamma')).toEqual(['gamma-0', 'gamma-1']);
    await expect(supervisor.client.showServersState('alpha')).rejects.toThrow();
    await expect(get(portOf('alpha'))).rejects.toThrow(/ECONNREFUSED/);
    expect(await answeredBy(sharedPort, '/', 'alpha.test').catch(() => 'none')).toBe('none');
    expect(await get(sharedPort, '/', 'alpha.test')).toEqual({ status: 404, body: NO_ROUTE_BODY });

    const [beta, gamma] = await Promise.all(loads.map((load) => load.done));
    console.log(`[remove a service in a reload] ${loadLine('beta', beta!)}; ${loadLine('gamma', gamma!)}`);
    expectEveryRequestAnswered(beta!, ISSUED, 'beta');
    expectEveryRequestAnswered(gamma!, ISSUED, 'gamma');
    expect(beta!.hosts).toEqual(new Set(['beta-0', 'beta-1']));
    expect(gamma!.hosts).toEqual(new Set(['gamma-0', 'gamma-1']));
  });
});
