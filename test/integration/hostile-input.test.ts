// Every door checked: a table of hostile input against every route of the headless API and its WebSocket, over a
// real control plane. Each answer is a 4xx naming what was wrong, nothing is saved, and the server answers the next
// request at once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes, SERVICES_PATH, type CommandName, type SettingsPatch, type Snapshot } from '../../electron/contract/contract.js';
import { MAX_INPUT_DEPTH } from '../../electron/contract/input-shape.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { startHeadlessServer, type HeadlessServer } from '../../electron/shells/headless/headless-server.js';
import { SettingsShape } from '../../electron/contract/settings-schema.js';
import { COMPOSE_BODY_BYTES } from '../../electron/contract/compose-contract.js';
import { apiCall, openStream, type CallOptions } from '../support/api-client.js';
import { startPlane, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';
import { hasHaproxy } from '../support/requirements.js';

const TOKEN = 'hostile-input-test-token-0123456789';

interface Row {
  name: string;
  method: string;
  route: string;
  options: CallOptions;
  status: number;
  /** The field the answer must name (`field` and the start of `error`); a prefix of the error for gate refusals. */
  field?: string;
  errorStart?: string;
}

const json = (value: unknown) => JSON.stringify(value);
/** The app's one service: a route that names its service in the path is called for it. */
const SERVICE = 'web';
/** A project no Compose file made: its route still checks everything sent to it first. */
const PROJECT = 'no-such-project';
const pathOf = (r: { path: string }) => r.path.replace('{name}', SERVICE).replace('{project}', PROJECT);
const bodyRoutes = (Object.entries(httpRoutes) as [CommandName, (typeof httpRoutes)[CommandName]][]).filter(([, r]) => r.method !== 'GET');
/**
 * Every door of the API: each route, and each per-service command again under /api/services/web (where GET also
 * answers the service's view).
 */
const doors: { method: string; path: string }[] = [
  ...Object.values(httpRoutes).map((r) => ({ method: r.method, path: pathOf(r) })),
  ...Object.values(httpRoutes).flatMap((r) => (r.service === undefined ? [] : [{ method: r.method, path: `${SERVICES_PATH}/${SERVICE}${r.service}` }])),
  { method: 'GET', path: `${SERVICES_PATH}/${SERVICE}` },
];
const takesInput: ReadonlySet<CommandName> = new Set(['whatIf', 'updateSettings', 'scale', 'setMode', 'removeReplica', 'startLoad']);
const METHODS: string[] = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'];

/** Requests no caller may make, whatever the route: no token, a wrong one, a foreign Host or Origin, a wrong method. */
function gateRows(port: number): Row[] {
  return doors.flatMap((r): Row[] => {
    const used = new Set<string>(doors.filter((o) => o.path === r.path).map((o) => o.method));
    const wrongMethod = METHODS.find((m) => !used.has(m))!;
    const at = `${r.method} ${r.path}`;
    return [
      { name: `${at} without a token`, method: r.method, route: r.path, options: { token: null }, status: 401, errorStart: 'token: ' },
      { name: `${at} with a wrong token`, method: r.method, route: r.path, options: { token: `${TOKEN}x` }, status: 401, errorStart: 'token: ' },
      { name: `${at} from a foreign Host`, method: r.method, route: r.path, options: { headers: { Host: `evil.example:${port}` } }, status: 403, errorStart: 'Host: ' },
      { name: `${at} from a foreign Origin`, method: r.method, route: r.path, options: { headers: { Origin: 'http://evil.example' } }, status: 403, errorStart: 'Origin: ' },
      { name: `${wrongMethod} ${r.path}`, method: wrongMethod, route: r.path, options: {}, status: 405, errorStart: `${wrongMethod} is not allowed` },
    ];
  });
}

/** Bodies no route may accept: broken JSON, hostile nesting, too much of it, wrong shapes, unknown and reserved keys. */
function bodyRows(): Row[] {
  const nested = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
  return bodyRoutes.flatMap(([command, r]): Row[] => {
    const at = `${r.method} ${r.path}`;
    const row = (what: string, body: string, status: number, field: string): Row => ({ name: `${at}: ${what}`, method: r.method, route: pathOf(r), options: { body }, status, field });
    return [
      row('malformed JSON', '{"replicas": ', 400, 'body'),
      row('60 KB of nesting', nested, 400, 'body'),
      row('nesting just past the limit', `${'{"a":'.repeat(MAX_INPUT_DEPTH + 1)}1${'}'.repeat(MAX_INPUT_DEPTH + 1)}`, 400, 'body'),
      // A Compose file may be larger than any other body: its routes take up to COMPOSE_BODY_BYTES.
      command === 'planCompose' || command === 'applyCompose'
        ? row('a body past the Compose file limit', json({ pad: 'x'.repeat(COMPOSE_BODY_BYTES + 1024) }), 413, 'body')
        : row('a 70 KB body', json({ pad: 'x'.repeat(70 * 1024) }), 413, 'body'),
      row('an array', '[1,2]', 400, 'input'),
      row('a bare number', '42', 400, 'input'),
      row('a string', '"scale"', 400, 'input'),
      row('an unknown field', json({ bogus: 1 }), 400, 'bogus'),
      row('__proto__', '{"__proto__": {"polluted": true}}', 400, '__proto__'),
      ...(takesInput.has(command) ? [row('null', 'null', 400, 'input')] : []),
    ];
  });
}

/** Each command's own fields with values of the wrong type or out of range. */
function fieldRows(): Row[] {
  const rows: [CommandName, string, unknown, string][] = [
    ['scale', 'text for a number', { replicas: '2' }, 'replicas'],
    ['scale', 'a fraction', { replicas: 2.5 }, 'replicas'],
    ['scale', 'one below 0', { replicas: -1 }, 'replicas'],
    ['scale', 'one past 100', { replicas: 101 }, 'replicas'],
    ['setMode', 'an unknown mode', { mode: 'turbo' }, 'mode'],
    ['setMode', 'a number', { mode: 1 }, 'mode'],
    ['removeReplica', 'an empty id', { id: '' }, 'id'],
    ['removeReplica', 'a number', { id: 5 }, 'id'],
    ['removeReplica', 'an id of no replica', { id: 'not-a-replica' }, 'id'],
    ['startLoad', 'rate 0', { rate: 0, durationS: 1 }, 'rate'],
    ['startLoad', 'rate one past 5000', { rate: 5001, durationS: 1 }, 'rate'],
    ['startLoad', 'duration one past 600', { rate: 1, durationS: 601 }, 'durationS'],
    ['startLoad', 'a path off the frontend', { rate: 1, durationS: 1, path: '//evil.example/' }, 'path'],
    ['startLoad', 'a path without /', { rate: 1, durationS: 1, path: 'x' }, 'path'],
    ['whatIf', 'a patch that is a number', { patch: 5 }, 'patch'],
    ['whatIf', 'a bad setting in the patch', { patch: { minReplicas: -1 } }, 'patch.minReplicas'],
    ['whatIf', 'a range that ends before it starts', { patch: {}, fromMs: 10, toMs: 5 }, 'toMs'],
    ['updateSettings', 'a foreign frontend address', { frontendHost: '192.0.2.1' }, 'frontendHost'],
    ['updateSettings', 'an image name that leaves the engine path', { image: '../../containers/json?all=1#' }, 'image'],
    ['updateSettings', 'a health path with a Runtime API separator', { healthPath: '/h;disable server x/y' }, 'healthPath'],
    ['addService', 'a name with a space', { name: 'a b' }, 'name'],
    ['addService', 'the name of the service there is', { name: SERVICE }, 'name'],
    ['addService', 'a CPU limit of 0', { name: 'api', cpuLimit: 0 }, 'cpuLimit'],
    ['addService', 'a setting of the whole app', { name: 'api', statsPort: 9 }, 'statsPort'],
  ];
  const queryRows: Row[] = [
    { name: 'GET /api/history?from=abc', method: 'GET', route: '/api/history?from=abc', options: {}, status: 400, field: 'from' },
    { name: 'GET /api/history?bogus=1', method: 'GET', route: '/api/history?bogus=1', options: {}, status: 400, field: 'bogus' },
    { name: 'GET /api/snapshot?bogus=1', method: 'GET', route: '/api/snapshot?bogus=1', options: {}, status: 400, field: 'bogus' },
  ];
  return [
    ...rows.map(([command, what, input, field]): Row => ({
      name: `${httpRoutes[command].method} ${httpRoutes[command].path}: ${what}`,
      method: httpRoutes[command].method,
      route: httpRoutes[command].path,
      options: { body: json(input) },
      status: 400,
      field,
    })),
    ...queryRows,
  ];
}

interface NumericSetting {
  name: keyof SettingsPatch;
  min: number;
  max: number;
  int: boolean;
}

/** Every numeric setting with its range, read from the schema itself, so a new setting is covered without a line here. */
const numericSettings: NumericSetting[] = Object.entries(SettingsShape.shape).flatMap(([name, schema]) => {
  // The first rule's flat shorthand is optional in what is sent; its range is the number's inside.
  const inner = typeof (schema as { unwrap?: unknown }).unwrap === 'function' ? (schema as unknown as { unwrap: () => unknown }).unwrap() : schema;
  const number = inner as { minValue?: number | null; maxValue?: number | null; isInt?: boolean };
  if (typeof number.minValue !== 'number' || typeof number.maxValue !== 'number') return [];
  return [{ name: name as keyof SettingsPatch, min: number.minValue, max: number.maxValue, int: number.isInt === true }];
});

const past = (setting: NumericSetting, edge: 'min' | 'max') => {
  const step = setting.int ? 1 : Math.max(1e-6, Math.abs(setting[edge]) * 1e-6);
  return edge === 'min' ? setting.min - step : setting.max + step;
};

/** Settings that only make sense together with another: what makes each edge valid on its own. */
const EDGE_COMPANIONS: Partial<Record<keyof SettingsPatch, Partial<Record<'min' | 'max', SettingsPatch>>>> = {
  minReplicas: { max: { maxReplicas: 100 } },
  // 0 is served only on the shared frontend: it needs that frontend on and a route there.
  frontendPort: { min: { sharedFrontendPort: 65535, routePathPrefix: '/' } },
  scaleUpThreshold: { min: { metric: 'rps-per-replica', scaleDownThreshold: 0, scaleUpThreshold: 0.5 }, max: { metric: 'rps-per-replica' } },
  scaleDownThreshold: { max: { metric: 'rps-per-replica', scaleUpThreshold: 10000, scaleDownThreshold: 9999 } },
  targetValue: { min: { targetValue: 0.001 }, max: { metric: 'rps-per-replica' } },
};

describe.skipIf(!hasHaproxy())('every door checked: hostile input against the headless API of a real control plane', () => {
  let fixture: PlaneFixture;
  let server: HeadlessServer;
  let settingsFile: string;
  const followUps: number[] = [];
  const answers: number[] = [];
  const call = (method: string, route: string, options: CallOptions = {}) => apiCall(server.port, TOKEN, method, route, options);

  beforeAll(async () => {
    fixture = await startPlane({ driver: 'process' });
    await waitFor(() => fixture.ready() === 1, 30_000, 'one ready replica');
    settingsFile = new SettingsStore(fixture.dataDir).path;
    server = await startHeadlessServer({ target: fixture.plane, host: '127.0.0.1', port: 0, token: TOKEN, rendererDir: path.resolve('dist/renderer') });
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.stop();
    const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)] ?? 0;
    console.log(`[hostile input] ${answers.length} refusals, answered in p95 ${p95(answers).toFixed(1)} ms; the next request answered in p95 ${p95(followUps).toFixed(1)} ms, at most ${Math.max(...followUps).toFixed(1)} ms`);
  });

  async function observe() {
    const reply = await call('GET', '/api/snapshot');
    expect(reply.status).toBe(200);
    followUps.push(reply.ms);
    const snapshot = JSON.parse(reply.text) as Snapshot;
    return { settings: snapshot.settings, desired: snapshot.desired, replicas: snapshot.replicas.map((r) => r.id).sort(), file: readFileSync(settingsFile, 'utf8') };
  }

  async function expectRefused(row: Row): Promise<void> {
    const before = await observe();
    const reply = await call(row.method, row.route, row.options);
    answers.push(reply.ms);
    expect(reply.status, `${row.name} answered ${reply.text.slice(0, 300)}`).toBe(row.status);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(reply.text) as { error: unknown; field?: unknown };
    expect(body.error).toEqual(expect.any(String));
    if (row.field !== undefined) {
      expect(body.field, row.name).toBe(row.field);
      expect(body.error).toMatch(new RegExp(`^${row.field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    }
    if (row.errorStart !== undefined) expect((body.error as string).startsWith(row.errorStart), `${row.name}: ${String(body.error)}`).toBe(true);
    // Nothing saved, nothing scaled, and the server still answers (observe() times the next request).
    expect(await observe()).toEqual(before);
  }

  it('refuses every gate row: no token, a wrong token, a foreign Host or Origin, a wrong method', async () => {
    const rows = gateRows(server.port);
    expect(rows.length).toBe(doors.length * 5);
    for (const row of rows) await expectRefused(row);
  });

  it('refuses every hostile body on every route that takes one', async () => {
    for (const row of bodyRows()) await expectRefused(row);
  });

  it("refuses each command's fields with wrong types and out-of-range values, naming the field", async () => {
    for (const row of fieldRows()) await expectRefused(row);
  });

  it('refuses one past both edges of every numeric setting, naming it', async () => {
    expect(numericSettings.length).toBeGreaterThanOrEqual(25);
    for (const setting of numericSettings) {
      for (const edge of ['min', 'max'] as const) {
        const value = past(setting, edge);
        await expectRefused({ name: `${setting.name} = ${value}`, method: 'PATCH', route: '/api/settings', options: { body: json({ [setting.name]: value }) }, status: 400, field: setting.name });
      }
    }
  });

  it('accepts both edges of every numeric setting as a what-if patch (checked like a change, saved nowhere)', async () => {
    for (const setting of numericSettings) {
      for (const edge of ['min', 'max'] as const) {
        const patch = { [setting.name]: setting[edge], ...EDGE_COMPANIONS[setting.name]?.[edge] };
        const before = await observe();
        const reply = await call('POST', '/api/whatif', { body: json({ patch }) });
        expect(reply.status, `${json(patch)} answered ${reply.text.slice(0, 300)}`).toBe(200);
        expect(await observe()).toEqual(before);
      }
    }
  });

  it('refuses local-only settings over HTTP with a 403 that says where they can be set', async () => {
    for (const [field, value] of [['haproxyPath', '/bin/sh'], ['dockerHost', 'tcp://192.0.2.1:2375']] as const) {
      await expectRefused({ name: `${field} over HTTP`, method: 'PATCH', route: '/api/settings', options: { body: json({ [field]: value }) }, status: 403, field });
      const reply = await call('PATCH', '/api/settings', { body: json({ scaleUpThreshold: 71, [field]: value }) });
      expect(reply.status).toBe(403);
      expect(JSON.parse(reply.text).error).toMatch(/settings file.*command line.*desktop window/);
    }
    expect((await observe()).settings.rules[0]!.scaleUpThreshold).toBe(70);
  });

  it('refuses the WebSocket without the token or from a foreign Host or Origin, and a hostile message changes nothing', async () => {
    const before = await observe();
    expect((await openStream(server.port, '')).status).toBe(401);
    expect((await openStream(server.port, `?token=${TOKEN}x`)).status).toBe(401);
    expect((await openStream(server.port, `?token=${TOKEN}`, { headers: { Host: `evil.example:${server.port}` } })).status).toBe(403);
    expect((await openStream(server.port, `?token=${TOKEN}`, { origin: 'http://evil.example' })).status).toBe(403);

    const stream = await openStream(server.port, `?token=${TOKEN}`);
    expect(stream.status).toBe(101);
    const ws = stream.ws!;
    // The stream only speaks: a command sent on it is not run, and a frame past its limit closes it.
    ws.send(json({ command: 'scale', input: { replicas: 5 } }));
    ws.send('{"broken": ');
    ws.send(Buffer.from([0xff, 0xfe, 0x00]));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(`${'['.repeat(30_000)}${']'.repeat(30_000)}`);
    expect(await closed).toBe(1009);
    expect(await observe()).toEqual(before);
  });

  it('answers every next request within 100 ms (p95) after hostile input', () => {
    expect(followUps.length).toBeGreaterThan(300);
    const sorted = [...followUps].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.95)]).toBeLessThan(100);
  });
});
