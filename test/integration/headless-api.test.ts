// The headless shell over real HTTP and WebSocket: every bad call is refused with a reason and changes nothing
// (settings, desired count, replicas, the settings file); good calls work, and the dashboard is served safely.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Settings, Snapshot, StreamMessage } from '../../electron/contract/contract.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { startHeadlessServer, type HeadlessServer } from '../../electron/shells/headless/headless-server.js';
import { freePort, startPlane, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';
import { hasHaproxy } from '../support/requirements.js';
import { apiCall, openStream as openStreamAt, type CallOptions, type Reply, type StreamAttempt } from '../support/api-client.js';

const TOKEN = 'headless-api-test-token-0123456789';
const RENDERER_DIR = path.resolve('dist/renderer');
const EVIL_ORIGIN = 'http://evil.example';

let server: HeadlessServer;

const call = (method: string, pathAndQuery: string, options: CallOptions = {}): Promise<Reply> => apiCall(server.port, TOKEN, method, pathAndQuery, options);
const json = <T = Record<string, unknown>>(reply: Reply): T => JSON.parse(reply.text) as T;
const sendJson = (value: unknown) => JSON.stringify(value);

const openStream = (query: string, options: { origin?: string; headers?: Record<string, string> } = {}): Promise<StreamAttempt> => openStreamAt(server.port, query, options);

describe.skipIf(!hasHaproxy())('headless API (HTTP + WebSocket) over a process-driver control plane', () => {
  let fixture: PlaneFixture;
  let settingsFile: string;
  const heldPorts: net.Server[] = [];

  beforeAll(async () => {
    fixture = await startPlane({ driver: 'process' });
    await waitFor(() => fixture.ready() === 1, 30_000, 'one ready replica');
    settingsFile = new SettingsStore(fixture.dataDir).path;
    server = await startHeadlessServer({ target: fixture.plane, host: '127.0.0.1', port: 0, token: TOKEN, rendererDir: RENDERER_DIR });
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.stop();
  });
  afterEach(async () => {
    await Promise.all(heldPorts.splice(0).map((held) => new Promise<void>((resolve) => held.close(() => resolve()))));
  });

  interface ObservedState {
    settings: Settings;
    desired: number;
    replicaIds: string[];
    fileOnDisk: string;
  }

  async function observe(): Promise<ObservedState> {
    const reply = await call('GET', '/api/snapshot');
    expect(reply.status).toBe(200);
    const snapshot = json<Snapshot>(reply);
    return {
      settings: snapshot.settings,
      desired: snapshot.desired,
      replicaIds: snapshot.replicas.map((r) => r.id).sort(),
      fileOnDisk: readFileSync(settingsFile, 'utf8'),
    };
  }

  /** Makes the call, checks the refusal, and checks that nothing changed because of it. */
  async function expectRefused(method: string, route: string, options: CallOptions, status: number, field?: string): Promise<Record<string, unknown>> {
    const before = await observe();
    const reply = await call(method, route, options);
    expect(reply.status, `${method} ${route} answered ${reply.text}`).toBe(status);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    const body = json(reply);
    expect(body.error).toEqual(expect.any(String));
    if (field !== undefined) {
      expect(body.field).toBe(field);
      expect(body.error).toMatch(new RegExp(`^${field}: `));
    }
    expect(await observe()).toEqual(before);
    return body;
  }

  function holdPort(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const held = net.createServer();
      heldPorts.push(held);
      held.once('error', reject);
      held.listen(port, '127.0.0.1', () => resolve());
    });
  }

  describe('who may call', () => {
    const calls: [method: string, route: string, body?: string][] = [
      ['GET', '/api/snapshot'],
      ['PATCH', '/api/settings', sendJson({ scaleUpThreshold: 71 })],
      ['POST', '/api/scale', sendJson({ replicas: 2 })],
      ['GET', '/metrics'],
    ];

    it.each(calls)('refuses %s %s without a token, or with a wrong one (401)', async (method, route, body) => {
      await expectRefused(method, route, { token: null, body }, 401);
      await expectRefused(method, route, { token: 'wrong', body }, 401);
      await expectRefused(method, route, { token: `${TOKEN.slice(0, -1)}X`, body }, 401);
      await expectRefused(method, `${route}?token=wrong`, { token: null, body }, 401);
    });

    it.each(calls)('refuses %s %s from a foreign Origin or Host, even with the token (403)', async (method, route, body) => {
      const fromPage = await expectRefused(method, route, { body, headers: { Origin: EVIL_ORIGIN } }, 403);
      expect(fromPage.error).toContain(EVIL_ORIGIN);
      await expectRefused(method, route, { body, headers: { Origin: 'null' } }, 403);
      // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends its own Host.
      const rebound = await expectRefused(method, route, { body, headers: { Host: `evil.example:${server.port}` } }, 403);
      expect(rebound.error).toContain('evil.example');
      await expectRefused(method, route, { body, headers: { Host: `127.0.0.1.evil.example:${server.port}` } }, 403);
    });

    it('accepts the token in the Authorization header from our own origin, and not in the query of an API call', async () => {
      expect((await call('GET', '/api/snapshot', { headers: { Origin: `http://127.0.0.1:${server.port}` } })).status).toBe(200);
      expect((await call('GET', '/api/snapshot', { headers: { Host: `localhost:${server.port}` } })).status).toBe(200);
      expect((await call('GET', `/api/snapshot?token=${TOKEN}`, { token: null, headers: { Host: `localhost:${server.port}` } })).status).toBe(401);
    });

    it('refuses the WebSocket stream without the right token, or from a foreign Origin or Host', async () => {
      const before = await observe();
      expect((await openStream('')).status).toBe(401);
      expect((await openStream('?token=wrong')).status).toBe(401);
      expect((await openStream(`?token=${TOKEN}`, { origin: EVIL_ORIGIN })).status).toBe(403);
      expect((await openStream(`?token=${TOKEN}`, { headers: { Host: `evil.example:${server.port}` } })).status).toBe(403);
      expect(await observe()).toEqual(before);
    });
  });

  describe('PATCH /api/settings refuses bad settings and changes nothing', () => {
    const refusals: [what: string, field: string, patch: unknown][] = [
      ['a number sent as text', 'minReplicas', { minReplicas: '2' }],
      ['a boolean for a number', 'sampleIntervalMs', { sampleIntervalMs: true }],
      ['a number for a text', 'image', { image: 42 }],
      ['an unknown mode', 'mode', { mode: 'turbo' }],
      ['port 0', 'frontendPort', { frontendPort: 0 }],
      ['a port above 65535', 'frontendPort', { frontendPort: 70000 }],
      ['a fractional replica count', 'maxReplicas', { maxReplicas: 2.5 }],
      ['minReplicas above maxReplicas', 'minReplicas', { minReplicas: 5, maxReplicas: 2 }],
      ['a scale-down threshold equal to the scale-up one', 'scaleDownThreshold', { scaleDownThreshold: 70, scaleUpThreshold: 70 }],
      ['a scale-down threshold above the scale-up one', 'scaleDownThreshold', { scaleDownThreshold: 80, scaleUpThreshold: 60 }],
      ['the stats page on the frontend port', 'statsPort', { statsPort: 'FRONTEND' }],
      ['a hold shorter than a second', 'holdTimeoutS', { holdTimeoutS: 0 }],
      ['more spares than allowed', 'standbyReplicas', { standbyReplicas: 11 }],
      ['a negative slow start', 'slowStartS', { slowStartS: -1 }],
      ['an unknown metric in the second rule', 'rules.1.metric', { rules: [{ metric: 'replica-cpu', scaleUpThreshold: 70, scaleDownThreshold: 30, targetValue: 50 }, { metric: 'disk', scaleUpThreshold: 70, scaleDownThreshold: 30, targetValue: 50 }] }],
      ['a rule whose thresholds cross', 'rules.0.scaleDownThreshold', { rules: [{ metric: 'latency-p95', scaleUpThreshold: 100, scaleDownThreshold: 300, targetValue: 50 }] }],
      ['no rules at all', 'rules', { rules: [] }],
      ['a negative tolerance', 'targetToleranceDown', { targetToleranceDown: -0.2 }],
      ['an unknown field', 'bogus', { bogus: 1 }],
      ['an unknown field beside a good one', 'force', { maxReplicas: 4, force: true }],
      ['an array instead of an object', 'input', [{ maxReplicas: 4 }]],
      ['a bare string', 'input', 'maxReplicas=4'],
      ['a health path HAProxy cannot carry', 'healthPath', { healthPath: '/a#b' }],
      ['a host name as the frontend address', 'frontendHost', { frontendHost: 'example.com' }],
      // JSON.parse on the server makes "__proto__" an own key, as a hand-written request body would.
      ['a __proto__ key', '__proto__', JSON.parse('{"__proto__": {"minReplicas": 5}}')],
      ['a nested constructor key', 'maxReplicas.constructor', { maxReplicas: { constructor: 1 } }],
    ];

    it.each(refusals)('refuses %s (400, naming %s)', async (_what, field, patch) => {
      const body = sendJson(patch).replace('"FRONTEND"', String(fixture.plane.settings.frontendPort));
      await expectRefused('PATCH', '/api/settings', { body }, 400, field);
    });

    it('refuses a frontendPort another program listens on, naming its PID and program', async () => {
      const port = await freePort();
      await holdPort(port);
      const refusal = await expectRefused('PATCH', '/api/settings', { body: sendJson({ frontendPort: port }) }, 400, 'frontendPort');
      expect(refusal.error).toContain(`port ${port} is used by PID ${process.pid} (`);
      expect(refusal.error).toMatch(/choose another port/);
    });

    it('refuses a statsPort another program listens on, naming its PID', async () => {
      const port = await freePort();
      await holdPort(port);
      const refusal = await expectRefused('PATCH', '/api/settings', { body: sendJson({ statsPort: port }) }, 400, 'statsPort');
      expect(refusal.error).toContain(`PID ${process.pid}`);
    });

    it('refuses a body that is not JSON', async () => {
      await expectRefused('PATCH', '/api/settings', { body: '{"maxReplicas": 4' }, 400, 'body');
      await expectRefused('PATCH', '/api/settings', { body: "{'maxReplicas': 4}" }, 400, 'body');
    });

    it('refuses a body over 64 KiB with 413', async () => {
      const body = sendJson({ image: 'x'.repeat(70 * 1024) });
      const refusal = await expectRefused('PATCH', '/api/settings', { body }, 413, 'body');
      expect(refusal.error).toMatch(/larger than 65536 bytes/);
    });

    it('refuses a body of several MiB with 413 and stays up', async () => {
      const body = sendJson({ image: 'x'.repeat(8 * 1024 * 1024) });
      await expectRefused('PATCH', '/api/settings', { body }, 413, 'body');
    });

    it('applies nothing from a __proto__ key and pollutes no prototype', async () => {
      const before = await observe();
      const reply = await call('PATCH', '/api/settings', { body: '{"__proto__": {"minReplicas": 7, "polluted": true}}' });
      expect([200, 400]).toContain(reply.status);
      expect(await observe()).toEqual(before);
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype as Record<string, unknown>).minReplicas).toBeUndefined();
    });

    it('refuses an empty PATCH body, naming the input', async () => {
      await expectRefused('PATCH', '/api/settings', { body: '' }, 400, 'input');
    });
  });

  describe('POST /api/scale and /api/mode refuse bad input and change nothing', () => {
    it.each([
      ['a negative count', { replicas: -1 }],
      ['a count as text', { replicas: '2' }],
      ['a fractional count', { replicas: 1.5 }],
      ['a count above maxReplicas (8)', { replicas: 9 }],
      ['a count above the hard limit', { replicas: 1000 }],
    ])('refuses %s for replicas', async (_what, input) => {
      await expectRefused('POST', '/api/scale', { body: sendJson(input) }, 400, 'replicas');
    });

    it('refuses an unknown field and a missing body for scale', async () => {
      await expectRefused('POST', '/api/scale', { body: sendJson({ replicas: 2, force: true }) }, 400, 'force');
      await expectRefused('POST', '/api/scale', {}, 400, 'input');
    });

    it('refuses mode "turbo"', async () => {
      const refusal = await expectRefused('POST', '/api/mode', { body: sendJson({ mode: 'turbo' }) }, 400, 'mode');
      expect(refusal.error).toContain('"auto" or "manual"');
    });
  });

  describe('routes', () => {
    it('answers 404 for an unknown API route and 405 for a known one with the wrong method', async () => {
      await expectRefused('GET', '/api/nope', {}, 404);
      await expectRefused('POST', '/api/snapshot', { body: '{}' }, 405);
      await expectRefused('GET', '/api/settings', {}, 405);
      await expectRefused('PUT', '/api/scale', { body: sendJson({ replicas: 2 }) }, 405);
      await expectRefused('POST', '/metrics', { body: '{}' }, 405);
      await expectRefused('DELETE', '/', {}, 405);
    });

    it('never serves files from outside the dashboard folder', async () => {
      for (const route of ['/..%2f..%2fetc/passwd', '/..%2f..%2fpackage.json', '/assets/..%2f..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/..%5c..%5cpackage.json']) {
        const reply = await call('GET', route, { token: null });
        expect(reply.status, route).toBe(404);
        expect(reply.text).not.toContain('root:');
        expect(reply.text).not.toContain('"name"');
      }
    });

    it('answers 404, not a server error, for a path that is not valid percent-encoding', async () => {
      const reply = await call('GET', '/%E0%A4%A', { token: null });
      expect(reply.status).toBe(404);
    });
  });

  describe('what works', () => {
    it('changes exactly the patched field, and persists it', async () => {
      const before = await observe();
      const threshold = before.settings.rules[0]!.scaleUpThreshold === 75 ? 76 : 75;
      const reply = await call('PATCH', '/api/settings', { body: sendJson({ scaleUpThreshold: threshold }) });
      expect(reply.status, reply.text).toBe(200);
      // The flat threshold is shorthand for the first rule: it changes that rule, and is not kept beside it.
      const expected = { ...before.settings, rules: [{ ...before.settings.rules[0], scaleUpThreshold: threshold }, ...before.settings.rules.slice(1)] };
      expect(json(reply)).toEqual(expected);
      const after = await observe();
      expect(after.settings).toEqual(expected);
      expect(after.desired).toBe(before.desired);
      expect(new SettingsStore(fixture.dataDir).settings).toEqual(expected);
    });

    it('scales by POST /api/scale and reports the new desired count', async () => {
      const reply = await call('POST', '/api/scale', { body: sendJson({ replicas: 2 }) });
      expect(reply.status, reply.text).toBe(200);
      expect(json(reply)).toEqual({ desired: 2, mode: 'manual' });
      expect((await observe()).desired).toBe(2);
      await waitFor(() => fixture.ready() === 2, 30_000, 'two ready replicas');
    });

    it('switches mode by POST /api/mode, both ways', async () => {
      for (const mode of (await observe()).settings.mode === 'manual' ? ['auto', 'manual'] : ['manual', 'auto']) {
        const reply = await call('POST', '/api/mode', { body: sendJson({ mode }) });
        expect(reply.status, reply.text).toBe(200);
        expect(json(reply)).toEqual({ mode });
        expect((await observe()).settings.mode).toBe(mode);
      }
    });

    it('serves Prometheus text at /metrics', async () => {
      const reply = await call('GET', '/metrics');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^text\/plain/);
      expect(reply.text).toContain('# TYPE scaledeck_replicas_desired gauge');
      expect(reply.text).toMatch(/^scaledeck_replicas_desired\{service="web"\} \d+$/m);
      expect(reply.text).toContain('# TYPE scaledeck_request_latency_p95_milliseconds gauge');
      expect(reply.text).toContain('# TYPE scaledeck_request_latency_p50_milliseconds gauge');
      expect(reply.text).toContain('# TYPE scaledeck_replica_memory_percent gauge');
    });

    it('takes several rules by PATCH and shows the first one in the flat fields of the snapshot', async () => {
      const before = await observe();
      const rules = [{ ...before.settings.rules[0]!, metric: 'rps-per-replica', scaleUpThreshold: 400, scaleDownThreshold: 100 }, { metric: 'latency-p95', scaleUpThreshold: 250, scaleDownThreshold: 20, targetValue: 100 }];
      const reply = await call('PATCH', '/api/settings', { body: sendJson({ rules }) });
      expect(reply.status, reply.text).toBe(200);
      const after = await observe();
      expect(after.settings.rules).toEqual(rules);
      expect(after.settings.rules[0]).toMatchObject({ metric: 'rps-per-replica', scaleUpThreshold: 400, scaleDownThreshold: 100 });
      const restored = await call('PATCH', '/api/settings', { body: sendJson({ rules: before.settings.rules }) });
      expect(restored.status, restored.text).toBe(200);
    });

    it('streams a snapshot first, then samples, over the WebSocket', async () => {
      const { status, ws, messages } = await openStream(`?token=${TOKEN}`);
      expect(status).toBe(101);
      try {
        await waitFor(() => messages.some((m) => m.type === 'sample'), 10_000, 'a sample on the stream');
      } finally {
        ws!.close();
      }
      expect(messages[0]?.type).toBe('snapshot');
      const first = messages[0] as Extract<StreamMessage, { type: 'snapshot' }>;
      expect(first.snapshot.settings.frontendPort).toBe(fixture.plane.settings.frontendPort);
      const sample = messages.find((m) => m.type === 'sample') as Extract<StreamMessage, { type: 'sample' }>;
      expect(sample.sample.at).toEqual(expect.any(Number));
      expect(sample.sample.desired).toEqual(expect.any(Number));
    });

    // The global setup builds the renderer, so this never skips.
    it('serves the dashboard without a token, with the security headers', async () => {
      const reply = await call('GET', '/', { token: null });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(reply.text).toBe(readFileSync(path.join(RENDERER_DIR, 'index.html'), 'utf8'));
      expect(reply.headers['content-security-policy']).toContain("default-src 'self'");
      expect(reply.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(reply.headers['x-frame-options']).toBe('DENY');
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
    });
  });
});
