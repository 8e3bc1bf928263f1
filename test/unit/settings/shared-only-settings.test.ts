// Specification of a service served only on the shared frontend (frontendPort 0): when it is allowed, the errors that
// name the field and change nothing, the URL a person is shown, and where a load run is sent.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applySettingsPatch, defaultSettings, SettingsError } from '../../../electron/contract/settings-schema.js';
import { frontendUrlOf, loadAddressOf, loadPathOf } from '../../../electron/core/service-address.js';
import { SettingsStore } from '../../../electron/core/settings-store.js';

const shared = { ...defaultSettings, sharedFrontendPort: 9000 };

describe('frontendPort 0: served only on the shared frontend', () => {
  it('is allowed with the shared frontend on and a route by path, by host, or both', () => {
    for (const route of [{ routePathPrefix: '/api' }, { routeHost: 'api.example' }, { routeHost: 'api.example', routePathPrefix: '/v1' }]) {
      expect(applySettingsPatch({ ...shared, ...route }, { frontendPort: 0 }).frontendPort).toBe(0);
    }
  });

  it('is refused without the shared frontend, naming frontendPort and what to set', () => {
    const current = { ...defaultSettings, routePathPrefix: '/api' };
    expect(() => applySettingsPatch(current, { frontendPort: 0 })).toThrow(
      new SettingsError('frontendPort', 'is 0 (served only on the shared frontend), which needs the shared frontend on: set sharedFrontendPort first'),
    );
    expect(current.frontendPort).toBe(defaultSettings.frontendPort);
  });

  it('is refused without a route, and so is taking the route away from such a service', () => {
    expect(() => applySettingsPatch(shared, { frontendPort: 0 })).toThrow(/^frontendPort: is 0 \(served only on the shared frontend\), which needs a route there: set routeHost or routePathPrefix$/);
    const servedThere = applySettingsPatch({ ...shared, routePathPrefix: '/api' }, { frontendPort: 0 });
    expect(() => applySettingsPatch(servedThere, { routePathPrefix: '' })).toThrow(/^frontendPort: .*needs a route there/);
    expect(servedThere.routePathPrefix).toBe('/api');
  });

  it('still refuses a negative port or one past 65535, saying 0 is the other choice', () => {
    expect(() => applySettingsPatch(shared, { frontendPort: -1 })).toThrow(/^frontendPort: must be 0 \(served only on the shared frontend\) or a port up to 65535$/);
    expect(() => applySettingsPatch(shared, { frontendPort: 65536 })).toThrow(/^frontendPort: must be 0/);
  });
});

describe('the settings store with a service served only on the shared frontend', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'scaledeck-shared-only-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses turning the shared frontend off while a service has no frontend of its own, naming sharedFrontendPort, and saves nothing', () => {
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify({
      settings: { sharedFrontendPort: 9000 },
      services: [{ name: 'web', settings: {} }, { name: 'api', settings: { frontendPort: 0, routePathPrefix: '/api' } }],
    }));
    const store = new SettingsStore(dir);
    expect(store.service('api').settings.frontendPort).toBe(0);
    const before = readFileSync(file, 'utf8');
    expect(() => store.service('web').update({ sharedFrontendPort: 0 })).toThrow(
      new SettingsError('sharedFrontendPort', 'would leave the service api invalid: its frontendPort is 0 (served only on the shared frontend), which needs the shared frontend on: set sharedFrontendPort first'),
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(store.service('web').settings.sharedFrontendPort).toBe(9000);
    // The dry run the control plane asks before HAProxy is asked: the same refusal, and a good patch saved nowhere.
    expect(() => store.service('web').check({ sharedFrontendPort: 0 })).toThrow(/^sharedFrontendPort: would leave the service api invalid/);
    expect(store.service('web').check({ sharedFrontendPort: 9001 }).sharedFrontendPort).toBe(9001);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('lets two services both have frontendPort 0: neither binds a port', () => {
    const store = new SettingsStore(dir);
    store.service('web').update({ sharedFrontendPort: 9000, routePathPrefix: '/web', frontendPort: 0 });
    expect(store.addService('api', { frontendPort: 0, routePathPrefix: '/api' }).settings.frontendPort).toBe(0);
  });
});

describe('the address of a service served only on the shared frontend', () => {
  const byPath = { ...shared, frontendPort: 0, routePathPrefix: '/api' };
  const byHost = { ...shared, frontendPort: 0, sharedFrontendHost: '0.0.0.0', routeHost: 'api.example' };

  it('is shown as the shared frontend with the route', () => {
    expect(frontendUrlOf(byPath)).toBe('http://127.0.0.1:9000/api');
    expect(frontendUrlOf(byHost)).toBe('http://api.example:9000/');
    expect(frontendUrlOf(defaultSettings)).toBe('http://127.0.0.1:8080/');
  });

  it('takes load on this machine\'s shared frontend, under the prefix and with the route\'s Host header', () => {
    expect(loadAddressOf(byPath)).toEqual({ frontend: 'http://127.0.0.1:9000/' });
    expect(loadAddressOf(byHost)).toEqual({ frontend: 'http://127.0.0.1:9000/', host: 'api.example' });
    expect(loadPathOf(byPath, '/')).toBe('/api/');
    expect(loadPathOf(byPath, '/work?ms=20')).toBe('/api/work?ms=20');
    expect(loadPathOf(byPath, '/api/work')).toBe('/api/work');
    expect(loadPathOf(byHost, '/work')).toBe('/work');
    expect(loadPathOf({ ...defaultSettings, routePathPrefix: '/api' }, '/work')).toBe('/work');
  });
});
