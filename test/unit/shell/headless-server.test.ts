// Specification of the headless server's gatekeeping and live stream, against a fake control plane (no HAProxy needed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { Snapshot, StreamMessage } from '../../../electron/contract/contract.js';
import { defaultSettings } from '../../../electron/contract/settings-schema.js';
import { exposureWarning, startHeadlessServer, tokenProblem, type HeadlessServer, type HeadlessTarget } from '../../../electron/shells/headless/headless-server.js';

const TOKEN = 'unit-test-token-0123456789';

const snapshot: Snapshot = {
  services: [],
  settings: defaultSettings,
  desired: 1,
  replicas: [],
  haproxy: { running: true, version: '2.6', frontendUrl: 'http://127.0.0.1:8080/', statsUrl: 'http://127.0.0.1:8404/' },
  docker: { reachable: true, version: '24' },
  events: [],
  sample: null,
  checks: [],
  load: { running: false, rate: 0, durationS: 0, startedAt: null, sent: 0, errors: 0, non2xx: 0 },
  imageBuild: { running: false, log: [], error: null },
  policy: { waitingFor: null, schedule: { open: null, next: null }, windows: [], range: { minReplicas: 1, maxReplicas: 10 } },
  forecast: { available: false, reason: 'no forecast yet: the history holds 0 h of the 24 h a forecast needs' },
  rollout: { state: 'idle', from: null, to: null, replaced: 0, total: 0, reason: null, canRollBack: false },
};
snapshot.services.push({
  name: 'web', settings: snapshot.settings, desired: snapshot.desired, replicas: snapshot.replicas, frontendUrl: snapshot.haproxy.frontendUrl, policy: snapshot.policy, rollout: snapshot.rollout,
  sample: null, lastReason: null, forecast: snapshot.forecast,
});

const composeView = { project: 'shop', file: 'compose.yaml', services: [], removes: [], composeUp: null, applied: false };

function fakeTarget() {
  const listeners = new Set<(message: StreamMessage) => void>();
  const ok = <T>(result: T) => vi.fn(async () => ({ result }));
  const target = {
    getSnapshot: ok(snapshot),
    getServices: ok(snapshot.services),
    serviceNames: ['web'],
    getHistory: ok([]),
    getForecast: vi.fn(async () => ({ error: 'no forecast yet: the history holds 3 h of the 24 h a forecast needs', notFound: true as const })),
    updateSettings: ok(defaultSettings),
    scale: ok({ desired: 1, mode: 'manual' as const }),
    setMode: ok({ mode: 'auto' as const }),
    removeReplica: ok({ removed: 'x' }),
    startLoad: ok(snapshot.load),
    stopLoad: ok(snapshot.load),
    buildImage: ok({ started: true }),
    recheck: ok([]),
    whatIf: vi.fn(async () => ({ error: 'what-if is not part of these tests' })),
    rollback: ok(snapshot.rollout),
    retryRollout: ok(snapshot.rollout),
    planCompose: vi.fn(async () => ({ result: composeView })),
    applyCompose: vi.fn(async () => ({ result: composeView })),
    getComposeProjects: ok([]),
    removeCompose: ok({ removed: ['shop.api'] }),
    snapshot: () => snapshot,
    subscribe: (listener: (message: StreamMessage) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } satisfies HeadlessTarget;
  return { target, listeners, emit: (message: StreamMessage) => listeners.forEach((listener) => listener(message)) };
}

describe('the headless server', () => {
  let rendererDir: string;
  let server: HeadlessServer;
  let fake: ReturnType<typeof fakeTarget>;
  const sockets: WebSocket[] = [];

  let otherSubscribers = 0;
  /** Open streams, apart from the /metrics registry's own subscription. */
  const streams = () => fake.listeners.size - otherSubscribers;

  async function start(stream = { pingIntervalMs: 60_000, maxBufferedBytes: 1024 * 1024 }, composeDirs: string[] = []) {
    server = await startHeadlessServer({ target: fake.target, host: '127.0.0.1', port: 0, token: TOKEN, rendererDir, stream, composeDirs });
    otherSubscribers = fake.listeners.size;
  }

  const origin = () => `http://127.0.0.1:${server.port}`;

  function openStream(query: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/stream${query}`, options);
    sockets.push(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`stream answered ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  const closed = (ws: WebSocket) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve())));

  beforeEach(() => {
    rendererDir = mkdtempSync(path.join(os.tmpdir(), 'sd-renderer-'));
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>ScaleDeck</title>');
    fake = fakeTarget();
  });

  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await server?.close();
    rmSync(rendererDir, { recursive: true, force: true });
  });

  it('serves the page load with ?token= in its URL, without asking for the token', async () => {
    await start();
    const page = await fetch(`${origin()}/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('ScaleDeck');
  });

  it('takes an API call\'s token from the Authorization header only', async () => {
    await start();
    expect((await fetch(`${origin()}/api/snapshot`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const fromQuery = await fetch(`${origin()}/api/snapshot?token=${TOKEN}`);
    expect(fromQuery.status).toBe(401);
    expect(((await fromQuery.json()) as { error: string }).error).toContain('Authorization: Bearer');
    expect((await fetch(`${origin()}/metrics?token=${TOKEN}`)).status).toBe(401);
    expect(fake.target.getSnapshot).toHaveBeenCalledTimes(1);
  });

  it('takes the stream\'s token from the query or the header', async () => {
    await start();
    await expect(openStream(`?token=${TOKEN}`)).resolves.toBeInstanceOf(WebSocket);
    await expect(openStream('', { headers: { Authorization: `Bearer ${TOKEN}` } })).resolves.toBeInstanceOf(WebSocket);
    await expect(openStream('?token=wrong')).rejects.toThrow('401');
  });

  it('serves each per-service command under /api/services/{name}, the name resolved and handed to the command', async () => {
    await start();
    const api = (method: string, route: string, body?: unknown) => fetch(`${origin()}${route}`, {
      method, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const list = await api('GET', '/api/services');
    expect(list.status).toBe(200);
    expect((await list.json()).map((s: { name: string }) => s.name)).toEqual(['web']);
    const one = await api('GET', '/api/services/web');
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ name: 'web', desired: 1, frontendUrl: 'http://127.0.0.1:8080/' });

    expect((await api('POST', '/api/services/web/scale', { replicas: 3 })).status).toBe(200);
    expect(fake.target.scale).toHaveBeenLastCalledWith({ replicas: 3 }, 'web');
    expect((await api('PATCH', '/api/services/web', { cpuLimit: 0.25 })).status).toBe(200);
    expect(fake.target.updateSettings).toHaveBeenLastCalledWith({ cpuLimit: 0.25 }, 'web');
    expect((await api('GET', '/api/services/web/history?from=1000')).status).toBe(200);
    expect(fake.target.getHistory).toHaveBeenLastCalledWith({ fromMs: 1000 }, 'web');
    expect((await api('POST', '/api/services/web/rollout/rollback')).status).toBe(200);
    expect(fake.target.rollback).toHaveBeenLastCalledWith(undefined, 'web');
    // Today's routes act on the only service.
    expect((await api('POST', '/api/scale', { replicas: 2 })).status).toBe(200);
    expect(fake.target.scale).toHaveBeenLastCalledWith({ replicas: 2 }, 'web');

    const calls = fake.target.scale.mock.calls.length;
    const unknown = await api('POST', '/api/services/api/scale', { replicas: 2 });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'service: there is no service named api (services: web)', field: 'service' });
    expect((await api('GET', '/api/services/api')).status).toBe(404);
    const badName = await api('POST', '/api/services/%20x/scale', { replicas: 2 });
    expect(badName.status).toBe(400);
    expect((await badName.json()).field).toBe('service');
    // The route names the service: one in the body too is a field the command does not know.
    const twice = await api('POST', '/api/services/web/scale', { replicas: 2, service: 'web' });
    expect(await twice.json()).toEqual({ error: 'service: is not a known field', field: 'service' });
    expect(fake.target.scale.mock.calls.length).toBe(calls);
    expect((await api('DELETE', '/api/services/web/scale')).status).toBe(405);
    expect((await api('POST', '/api/services/web/nothing')).status).toBe(404);
  });

  it('reads host files for a Compose file only from a folder opened on this machine, and never from a file sent over HTTP', async () => {
    const opened = path.join(rendererDir, 'shop');
    await start(undefined, [opened]);
    const post = (route: string, body: unknown) => fetch(`${origin()}${route}`, {
      method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    const elsewhere = await post('/api/compose/apply', { yaml: 'services: {}', projectDir: '/etc' });
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.json()).toMatchObject({ field: 'projectDir' });
    expect(fake.target.applyCompose).not.toHaveBeenCalled();

    expect((await post('/api/compose/plan', { yaml: 'services: {}', projectDir: opened })).status).toBe(200);
    expect(fake.target.planCompose).toHaveBeenLastCalledWith({ yaml: 'services: {}', projectDir: opened }, { hostFiles: true });
    // A file larger than any other body (64 KiB) still reaches the planner, which has its own limit and error.
    const large = `services: {}\n${'#'.repeat(200 * 1024)}\n`;
    expect((await post('/api/compose/apply', { yaml: large })).status).toBe(200);
    expect(fake.target.applyCompose).toHaveBeenLastCalledWith({ yaml: large }, { hostFiles: false });
  });

  it('removes a Compose project named in the path, with no body', async () => {
    await start();
    const answer = await fetch(`${origin()}/api/compose/shop`, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(answer.status).toBe(200);
    expect(fake.target.removeCompose).toHaveBeenCalledWith({ project: 'shop' });
    const withBody = await fetch(`${origin()}/api/compose/shop`, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: '{"project":"other"}' });
    expect(withBody.status).toBe(400);
  });

  it('answers a forecast that is not there yet with 404 and the reason', async () => {
    await start();
    const response = await fetch(`${origin()}/api/forecast`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'no forecast yet: the history holds 3 h of the 24 h a forecast needs' });
  });

  it('refuses a settings patch carrying __proto__ with 400 naming it, without calling the control plane', async () => {
    await start();
    const response = await fetch(`${origin()}/api/settings`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: '{"__proto__": {"minReplicas": 5}}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: '__proto__: is not allowed as a key', field: '__proto__' });
    expect(fake.target.updateSettings).not.toHaveBeenCalled();
  });

  it('closes a stream whose client stops reading once its buffer passes the cap, whatever the message type', async () => {
    await start({ pingIntervalMs: 60_000, maxBufferedBytes: 64 * 1024 });
    // A raw client that completes the handshake and then never reads: the kernel's buffers fill, then the server's.
    const client = net.connect(server.port, '127.0.0.1');
    client.write(
      `GET /api/stream?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const head = await new Promise<Buffer>((resolve) => client.once('data', resolve));
    client.pause();
    expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 101/);
    await vi.waitFor(() => expect(streams()).toBe(1));
    const message = 'x'.repeat(256 * 1024);
    let sent = 0;
    while (streams() > 0 && sent < 400) {
      fake.emit({ type: 'event', event: { at: sent, kind: 'info', message } });
      sent++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    client.destroy();
    expect(streams()).toBe(0);
    expect(sent).toBeLessThan(400);
  });

  it('pings the stream and closes a client that stops answering', async () => {
    await start({ pingIntervalMs: 30, maxBufferedBytes: 1024 * 1024 });
    const answering = await openStream(`?token=${TOKEN}`);
    const silent = await openStream(`?token=${TOKEN}`, { autoPong: false });
    let pings = 0;
    answering.on('ping', () => pings++);
    await closed(silent);
    await vi.waitFor(() => expect(pings).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
    expect(answering.readyState).toBe(answering.OPEN);
    await vi.waitFor(() => expect(streams()).toBe(1));
    // Real sockets and timers: a loaded machine may need more than the default 5 s for a few 30 ms rounds.
  }, 30_000);
});

describe('starting the headless shell', () => {
  it('refuses a SCALEDECK_TOKEN shorter than 16 characters, in one line', () => {
    expect(tokenProblem('short')).toBe('SCALEDECK_TOKEN is 5 characters long; use at least 16 (or unset it for a random one per start)');
    expect(tokenProblem('0123456789abcdef')).toBeUndefined();
  });

  it.each(['0.0.0.0', '::', '192.168.1.20'])('warns when the dashboard listens beyond loopback (%s)', (host) => {
    expect(exposureWarning(host)).toMatch(/^Warning: the dashboard listens on .*reachable from other machines/);
  });

  it.each(['127.0.0.1', '127.0.0.2', '::1', 'localhost'])('says nothing for a loopback address (%s)', (host) => {
    expect(exposureWarning(host)).toBeUndefined();
  });
});
