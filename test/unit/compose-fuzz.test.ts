// Property: whatever YAML it is given, the planner answers a plan or a ComposeFileError, never a crash (a TypeError).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { planCompose } from '../../electron/core/compose/compose-plan.js';
import { ComposeFileError, type ComposePlan } from '../../electron/core/compose/compose-plan-types.js';
import { PROPERTY_TIMEOUT_MS, propertyRuns } from '../support/property-seed.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-fuzz-'));
fs.mkdirSync(path.join(dir, 'app'));
fs.writeFileSync(path.join(dir, 'token.txt'), 'x');
fs.writeFileSync(path.join(dir, 'web.env'), 'A=1\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const SERVICE_KEYS = [
  'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'healthcheck', 'deploy', 'secrets',
  'configs', 'volumes', 'networks', 'network_mode', 'depends_on', 'profiles', 'restart', 'container_name', 'working_dir', 'user',
  'labels', 'extra_hosts', 'shm_size', 'ulimits', 'cap_add', 'cap_drop', 'read_only', 'tmpfs', 'stop_signal', 'stop_grace_period',
  'scale', 'x-scaledeck', 'logging', 'hostname', 'mem_limit', 'cpus', '__proto__', 'constructor', 'toString',
];
const INNER_KEYS = [
  'context', 'dockerfile', 'target', 'args', 'test', 'disable', 'replicas', 'resources', 'limits', 'cpus', 'memory', 'source',
  'published', 'host_ip', 'protocol', 'type', 'read_only', 'condition', 'aliases', 'path', 'required', 'file', 'external',
  'internal', 'name', 'driver', 'soft', 'hard', 'scale', 'containerPort', 'maxReplicas', 'healthPath', 'driver', 'db', 'web',
  'default', '__proto__', 'hasOwnProperty',
];
const STRINGS = [
  '8080:80', '127.0.0.1:8080:80', '80', '8080-8081:80-81', '70000:80', './app:/app:ro', 'data:/data', '/cache', './token.txt',
  'web.env', 'missing.env', '${A:-b}', '${A:?no}', '${', '$$x', 'host', 'none', 'service:db', 'service:nope', 'postgres:16',
  'example/web', 'CMD', 'CMD-SHELL', 'NONE', 'curl -f http://localhost/x', '0.5', '512m', '1m30s', 'service_healthy', 'A=1',
  'db', 'web', 'default', 'token', 'app', 'sh -c "x', 'true', '',
];

const leaf = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 70000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...INNER_KEYS), tie('value'), { maxKeys: 4 }),
  ),
}));
const service = fc.oneof(fc.dictionary(fc.constantFrom(...SERVICE_KEYS), value, { maxKeys: 8 }), value);
const composeFile = fc.record(
  {
    name: fc.oneof(fc.constantFrom('shop', 'My Shop', '__', ''), leaf),
    services: fc.oneof(fc.dictionary(fc.constantFrom('web', 'db', 'worker', 'bad name', '__proto__'), service, { minKeys: 1, maxKeys: 3 }), value),
    networks: value,
    volumes: value,
    secrets: fc.oneof(fc.constant({ token: { file: './token.txt' } }), value),
    configs: value,
    'x-anchor': value,
  },
  { requiredKeys: ['services'] },
);

/** Mostly plausible values per key, now and then anything: files that often plan, and sometimes fail deep inside. */
const plausible: Record<string, fc.Arbitrary<unknown>> = {
  image: fc.constantFrom('example/web', 'example/web:1.2', 'postgres:16', 'nginx', 'redis'),
  build: fc.constantFrom('./app', { context: 'app', args: ['V=1'] }),
  ports: fc.array(fc.constantFrom<unknown>('8080:80', '80', '127.0.0.1:9000:9000', '53:53/udp', '9000-9001:80-81', { target: 80, published: 8081 }, { target: 81 }), { maxLength: 3 }),
  expose: fc.array(fc.constantFrom<unknown>(3000, '8000', '53/udp'), { maxLength: 2 }),
  volumes: fc.array(fc.constantFrom<unknown>('./app:/app:ro', 'data:/data', '/cache', './app:/app', { type: 'tmpfs', target: '/tmp' }, { type: 'bind', source: './app', target: '/a', read_only: true }), { maxLength: 3 }),
  environment: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), leaf, { maxKeys: 3 }), fc.array(fc.constantFrom('A=1', 'B', 'C=${A}'), { maxLength: 3 })),
  env_file: fc.constantFrom<unknown>('web.env', ['web.env'], { path: 'missing.env', required: false }),
  command: fc.constantFrom<unknown>('npm start', ['node', 'server.js'], 'sh -c "serve --port 80"', ''),
  healthcheck: fc.constantFrom<unknown>({ test: 'curl -f http://localhost/healthz' }, { test: ['CMD', 'wget', '-q', 'http://127.0.0.1:80/'] }, { disable: true }),
  deploy: fc.record({ replicas: fc.nat(5), resources: fc.constant({ limits: { cpus: '0.5', memory: '512m' } }) }, { requiredKeys: [] }),
  networks: fc.constantFrom<unknown>(['default'], { default: { aliases: ['www'] } }, ['back']),
  depends_on: fc.constantFrom<unknown>(['db'], { db: { condition: 'service_healthy' } }),
  secrets: fc.constantFrom<unknown>(['token'], [{ source: 'token', target: '/etc/token' }]),
  container_name: fc.constantFrom('web1'),
  restart: fc.constantFrom('always', 'no'),
  labels: fc.constantFrom<unknown>(['a=1'], { b: '2' }),
  'x-scaledeck': fc.record({ scale: fc.boolean(), maxReplicas: fc.integer({ min: 1, max: 120 }), containerPort: fc.integer({ min: 1, max: 65535 }), healthPath: fc.constantFrom('/ok', '/ready') }, { requiredKeys: [] }),
};
const plausibleService = fc.record(plausible, { requiredKeys: ['image'] });
/** A plausible file, and now and then one key of one service replaced by anything. */
const plausibleFile = fc
  .record({
    file: fc.record({
      services: fc.record({ web: plausibleService, db: plausibleService, worker: plausibleService }, { requiredKeys: ['web', 'db'] }),
      volumes: fc.constant({ data: {} }),
      secrets: fc.constant({ token: { file: './token.txt' } }),
      networks: fc.constantFrom<unknown>({ back: { internal: true } }, {}),
    }),
    fault: fc.option(fc.record({ service: fc.constantFrom('web', 'db'), key: fc.constantFrom(...SERVICE_KEYS), value })),
  })
  .map(({ file, fault }) => {
    if (fault) Object.defineProperty(file.services[fault.service as 'web'] ?? {}, fault.key, { value: fault.value, enumerable: true });
    return file;
  });

/** Runs the planner; anything but a plan or a ComposeFileError fails the property with what was thrown. */
function planOrRefusal(yaml: string): ComposePlan | ComposeFileError {
  try {
    return planCompose({ yaml, projectDir: dir, projectName: 'fuzz', env: { A: '1' } });
  } catch (e) {
    if (e instanceof ComposeFileError) return e;
    throw new Error(`crashed on:\n${yaml}\n${e instanceof Error ? e.stack : String(e)}`);
  }
}

function expectWellFormed(result: ComposePlan | ComposeFileError): void {
  if (result instanceof ComposeFileError) {
    expect(result.message.startsWith(`${result.file}: `)).toBe(true);
    expect(result.key.length).toBeGreaterThan(0);
    return;
  }
  expect(result.services.length).toBeGreaterThan(0);
  for (const s of result.services) {
    expect(s.scale ? s.reasons.length === 0 && s.runtime !== undefined : s.reasons.length > 0 && s.runtime === undefined).toBe(true);
  }
}

describe('the planner, for any input', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('answers a plan or a ComposeFileError for plausible files with random faults', () => {
    fc.assert(fc.property(plausibleFile, (file) => expectWellFormed(planOrRefusal(stringify(file)))), propertyRuns(600));
  });

  it('answers a plan or a ComposeFileError for random Compose-shaped files', () => {
    fc.assert(fc.property(composeFile, (file) => expectWellFormed(planOrRefusal(stringify(file)))), propertyRuns(600));
  });

  it('answers a plan or a ComposeFileError for random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => expectWellFormed(planOrRefusal(text))), propertyRuns(500));
  });
});
