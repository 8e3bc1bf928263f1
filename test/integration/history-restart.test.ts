// History on disk with a real control plane (process driver, real HAProxy): served over HTTP by range, replayed by
// what-if, and still there after the control plane restarts on the same data folder.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample, Snapshot, WhatIfResult } from '../../electron/contract/contract.js';
import { startHeadlessServer, type HeadlessServer } from '../../electron/shells/headless/headless-server.js';
import { startPlane, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';
import { hasHaproxy } from '../support/requirements.js';

const TOKEN = 'history-restart-test-token-0123456789';

function call(server: HeadlessServer, method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}`, ...(text ? { 'Content-Type': 'application/json' } : {}) };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: pathAndQuery, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${pathAndQuery} got no answer within 10 s`)));
    req.end(text);
  });
}

describe.skipIf(!hasHaproxy())('history across a restart, over HTTP', () => {
  let fixture: PlaneFixture;
  let server: HeadlessServer;
  let startedAt: number;

  beforeAll(async () => {
    startedAt = Date.now();
    fixture = await startPlane({ driver: 'process', mode: 'auto', sampleIntervalMs: 200, scaleDownCooldownS: 600 });
    await waitFor(() => fixture.ready() === 1, 30_000, 'one ready replica');
    server = await startHeadlessServer({ target: fixture.plane, host: '127.0.0.1', port: 0, token: TOKEN, rendererDir: 'dist/renderer' });
    // Enough record to read back and replay; counted, since a loaded machine takes fewer samples per second.
    await waitFor(async () => {
      const recorded = await fixture.plane.getHistory({ fromMs: startedAt, toMs: Date.now() });
      return 'result' in recorded && recorded.result.length > 15;
    }, 60_000, 'more than 15 recorded samples');
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.stop();
  });

  it('serves a range of recorded samples, and refuses a bad parameter naming it', async () => {
    const now = Date.now();
    const reply = await call(server, 'GET', `/api/history?from=${startedAt}&to=${now}`);
    expect(reply.status).toBe(200);
    const samples = reply.body as Sample[];
    expect(samples.length).toBeGreaterThan(10);
    expect(samples.every((s) => s.at >= startedAt && s.at <= now)).toBe(true);
    expect(await call(server, 'GET', '/api/history?from=yesterday')).toEqual({ status: 400, body: { error: 'from: must be a time in epoch milliseconds, got "yesterday"', field: 'from' } });
    expect((await call(server, 'GET', `/api/history?from=${now}&to=${startedAt}`)).body).toMatchObject({ field: 'toMs' });
  });

  it('replays the record with a patch, and refuses a bad patch naming the field', async () => {
    const reply = await call(server, 'POST', '/api/whatif', { patch: { scaleUpThreshold: 50, scaleDownThreshold: 10 }, fromMs: startedAt });
    expect(reply.status).toBe(200);
    const result = reply.body as WhatIfResult;
    expect(result.series.length).toBeGreaterThan(10);
    expect(result.summary.peakReplicas).toBeGreaterThanOrEqual(1);
    expect(result.model).toMatch(/conserved/);
    const bad = await call(server, 'POST', '/api/whatif', { patch: { maxReplicas: 0 } });
    expect(bad).toMatchObject({ status: 400, body: { field: 'patch.maxReplicas' } });
  });

  it('says in the snapshot what the policy waits for: idle at minReplicas, scaling down is held by the range', async () => {
    // The first replica counts in the CPU average once past its warm-up, then three low samples make the streak.
    const waitingFor = await waitFor(async () => ((await call(server, 'GET', '/api/snapshot')).body as Snapshot).policy.waitingFor, 15_000, 'a hold', 200);
    expect(waitingFor).toMatch(/minReplicas is 1/);
  });

  it('returns after a restart on the same data folder the samples recorded before it', async () => {
    const { dataDir, app } = fixture;
    const before = await fixture.plane.getHistory({ fromMs: startedAt });
    if (!('result' in before)) throw new Error(before.error);
    const lastBefore = before.result.at(-1)?.at ?? 0;
    await server.close();
    await fixture.plane.shutdown({ keepRunning: false });
    fixture = await startPlane({}, { dataDir, app });
    server = await startHeadlessServer({ target: fixture.plane, host: '127.0.0.1', port: 0, token: TOKEN, rendererDir: 'dist/renderer' });
    const after = await call(server, 'GET', `/api/history?from=${startedAt}`);
    const samples = after.body as Sample[];
    expect(samples.filter((s) => s.at <= lastBefore)).toEqual(before.result);
  });
});

