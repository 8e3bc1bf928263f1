// Specification of what the settings refuse: a value for every field, the values HAProxy cannot take, reserved keys.
import { describe, expect, it } from 'vitest';
import { renderHaproxyConfig } from '../../../haproxy/config.js';
import { parseCommandInput } from '../../../electron/contract/contract.js';
import { applySettingsPatch, defaultSettings, SettingsError, SettingsShape, type Settings } from '../../../electron/contract/settings-schema.js';

function refusal(patch: unknown): SettingsError {
  try {
    applySettingsPatch(defaultSettings, patch);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return error as SettingsError;
  }
  throw new Error(`expected ${JSON.stringify(patch)} to be refused`);
}

const rejected: Record<keyof Settings, unknown> = {
  driver: 'kubernetes',
  image: '',
  containerPort: 0,
  healthPath: '/a#b',
  cpuLimit: 0.01,
  memoryLimitMb: 8,
  frontendHost: 'example.com',
  frontendPort: 65536,
  statsPort: 8080,
  minReplicas: -1,
  maxReplicas: 0,
  mode: 'sometimes',
  policy: 'random',
  metric: 'disk',
  scaleUpThreshold: 10001,
  scaleDownThreshold: 90,
  targetValue: 0,
  rules: [],
  targetToleranceUp: -1,
  targetToleranceDown: 2,
  step: 0,
  breachSamples: 0,
  sampleIntervalMs: 100,
  scaleUpCooldownS: -1,
  scaleDownCooldownS: 3601,
  scaleDownStabilizationS: -5,
  warmupS: 601,
  drainTimeoutS: 0,
  holdTimeoutS: 0,
  standbyReplicas: 11,
  slowStartS: -1,
  forecast: 'always',
  forecastLeadS: 3601,
  schedules: 'every morning',
  pauseScaleIn: 'yes',
  pauseScaleOut: 1,
  keepRunningOnQuit: 'yes',
  hostCpuBudget: -1,
  sharedFrontendHost: 'not a host!',
  sharedFrontendPort: 70000,
  routeHost: 'a b',
  routePathPrefix: 'no-slash',
  swarmService: '-bad name',
  dockerHost: 'garbage',
  haproxyPath: 'bin/haproxy',
  rolloutSurge: 0,
  rolloutDeadlineS: 2,
};

describe('a refused value names its field', () => {
  it('has a refused value for every setting', () => {
    expect(Object.keys(rejected).sort()).toEqual(Object.keys(SettingsShape.shape).sort());
  });

  it.each(Object.entries(rejected))('refuses %s = %j', (field, value) => {
    const error = refusal({ [field]: value });
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });
});

describe('healthPath: what the `option httpchk` line can carry', () => {
  const accepted = ['/', '/healthz', '/a/b-c_d.e~f', '/a?x=1&y=2', '/a%20b', '/a$HOME'];
  const refused = ['healthz', '', '/a b', '/a\tb', '/a#b', '/a"b', "/a'b", '/a\\b', '/a\nb', '/a\u0000', '/é', '/a;b', '/h;disable server b/s'];

  it.each(accepted)('accepts %j', (healthPath) => {
    expect(applySettingsPatch(defaultSettings, { healthPath }).healthPath).toBe(healthPath);
  });

  it.each(refused)('refuses %j', (healthPath) => {
    expect(refusal({ healthPath }).field).toBe('healthPath');
  });

  it('agrees with the config renderer on every value, so a saved path always renders', () => {
    const render = (healthPath: string) => () =>
      renderHaproxyConfig({ dataDir: '/tmp/sd', frontendHost: '127.0.0.1', frontendPort: 8080, statsPort: 8404, healthPath });
    for (const healthPath of accepted) expect(render(healthPath)).not.toThrow();
    for (const healthPath of refused) expect(render(healthPath)).toThrow(/healthPath/);
  });
});

describe('image: a Docker image reference, since the name goes into engine URLs', () => {
  const accepted = ['nginx', 'scaledeck/api:latest', 'ubuntu:22.04', 'registry.example:5000/team/app:1.2', 'localhost:5000/a/b', '[::1]:5000/x/y:v',
    `app@sha256:${'a'.repeat(64)}`, 'my_app__x/y-z.w:v1'];
  const refused = ['', '../../containers/json?all=1#', 'Nginx', 'a//b', 'a:b:c', 'a?b', 'a b', 'a#b', '/abs', 'a/', `${'a'.repeat(256)}:v`, 'a:-tag', 'a@sha256:short'];

  it.each(accepted)('accepts %j', (image) => {
    expect(applySettingsPatch(defaultSettings, { image }).image).toBe(image);
  });

  it.each(refused)('refuses %j, naming image', (image) => {
    const error = refusal({ image });
    expect(error.field).toBe('image');
    expect(error.message).toMatch(image === '' ? /must name an image/ : /Docker image reference/);
  });
});

describe('frontendHost: an IP literal or localhost', () => {
  it.each(['127.0.0.1', '0.0.0.0', '192.168.1.20', '::', '::1', 'fe80::1', 'localhost'])('accepts %j', (frontendHost) => {
    expect(applySettingsPatch(defaultSettings, { frontendHost }).frontendHost).toBe(frontendHost);
  });

  it.each(['', 'example.com', '256.1.1.1', '1.2.3', '[::1]', '1::2::3', '127.0.0.1:80', '*', '1.2.3.4\nbind'])('refuses %j', (frontendHost) => {
    expect(refusal({ frontendHost }).field).toBe('frontendHost');
  });
});

describe('dockerHost: what the Docker driver can connect to', () => {
  it.each(['', '/var/run/docker.sock', 'unix:///var/run/docker.sock', 'tcp://127.0.0.1:2375', 'tcp://docker.lan:2376', 'tcp://[::1]:2375'])('accepts %j', (dockerHost) => {
    expect(applySettingsPatch(defaultSettings, { dockerHost }).dockerHost).toBe(dockerHost);
  });

  it.each(['garbage', 'tcp://host', 'tcp://host:0', 'tcp://host:70000', 'http://host:2375', 'unix://relative', 'ssh://me@host'])('refuses %j', (dockerHost) => {
    expect(refusal({ dockerHost }).field).toBe('dockerHost');
  });
});

describe('keys that reach a prototype', () => {
  it.each([
    ['{"__proto__": {"minReplicas": 5}}', '__proto__'],
    ['{"constructor": {"prototype": {}}}', 'constructor'],
    ['{"prototype": 1}', 'prototype'],
  ])('refuses %s in a settings patch, naming %s', (json, field) => {
    expect(refusal(JSON.parse(json)).field).toBe(field);
  });

  it.each([
    ['{"__proto__": {"minReplicas": 5}}', '__proto__'],
    ['{"minReplicas": 2, "nested": {"deeper": {"constructor": 1}}}', 'nested.deeper.constructor'],
    ['{"prototype": 1}', 'prototype'],
  ])('are refused at the contract boundary before a record schema could drop them: %s', (json, field) => {
    expect(parseCommandInput('updateSettings', JSON.parse(json))).toEqual({ ok: false, field, error: `${field}: is not allowed as a key` });
  });

  it('are refused in any command input', () => {
    expect(parseCommandInput('scale', JSON.parse('{"replicas": 2, "__proto__": {}}'))).toMatchObject({ ok: false, field: '__proto__' });
  });
});
