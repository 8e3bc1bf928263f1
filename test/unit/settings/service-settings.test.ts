// Specification of the settings file's services: what is global and what is a service's, and how a file from before
// services becomes the service `web` with nothing lost.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings, GLOBAL_SETTINGS, SettingsError, serviceNameProblem, SettingsShape } from '../../../electron/contract/settings-schema.js';
import { SettingsStore } from '../../../electron/core/settings-store.js';
import { readSettingsFile } from '../../support/settings-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'scaledeck-services-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = () => path.join(dir, 'settings.json');

describe('the settings file of services', () => {
  it('migrates a file from before services to one service named web, every value and the count kept', () => {
    const before = {
      settings: {
        driver: 'process', statsPort: 9404, sampleIntervalMs: 500, keepRunningOnQuit: true,
        image: 'shop/api:2', frontendPort: 9080, maxReplicas: 6, mode: 'manual', standbyReplicas: 1,
        rules: [{ metric: 'rps-per-replica', scaleUpThreshold: 40, scaleDownThreshold: 10, targetValue: 20 }],
      },
      desired: 3,
    };
    writeFileSync(file(), JSON.stringify(before));
    const store = new SettingsStore(dir);

    expect(store.migrated).toBe(true);
    expect(store.serviceNames).toEqual(['web']);
    const web = store.service('web');
    expect(web.desired).toBe(3);
    expect(web.settings).toMatchObject(before.settings);
    const onDisk = JSON.parse(readFileSync(file(), 'utf8'));
    expect(onDisk).toEqual({
      settings: { driver: 'process', statsPort: 9404, sampleIntervalMs: 500, keepRunningOnQuit: true },
      services: [{ name: 'web', settings: { image: 'shop/api:2', frontendPort: 9080, maxReplicas: 6, mode: 'manual', standbyReplicas: 1, rules: before.settings.rules }, desired: 3 }],
    });
    // Read again, it is the same and no longer a migration.
    const again = new SettingsStore(dir);
    expect(again.migrated).toBe(false);
    expect(again.service('web').settings).toEqual(web.settings);
    expect(again.desired).toBe(3);
  });

  it('starts a new folder with one service named web and writes nothing until something changes', () => {
    const store = new SettingsStore(dir);
    expect(store.migrated).toBe(false);
    expect(store.serviceNames).toEqual(['web']);
    expect(store.settings).toEqual(defaultSettings);
    store.service('web').setDesired(2);
    expect(readSettingsFile(file()).file).toEqual({ settings: {}, services: [{ name: 'web', settings: {}, desired: 2 }] });
  });

  it('keeps global settings beside the services and a service\'s own settings in its entry', () => {
    const store = new SettingsStore(dir);
    store.service('web').update({ statsPort: 9405, cpuLimit: 0.25 });
    expect(readSettingsFile(file()).file).toEqual({ settings: { statsPort: 9405 }, services: [{ name: 'web', settings: { cpuLimit: 0.25 } }] });
  });

  it('reads each service of a file, skipping entries with a bad or repeated name, and falls back field by field', () => {
    writeFileSync(file(), JSON.stringify({
      settings: { statsPort: 9500 },
      services: [
        { name: 'web', settings: { maxReplicas: 4, cpuLimit: 'lots' }, desired: 2 },
        { name: 'api', settings: { image: 'shop/api:1', frontendPort: 9081 } },
        { name: 'web', settings: { maxReplicas: 9 } },
        { name: 'bad name!', settings: {} },
      ],
    }));
    const store = new SettingsStore(dir);
    expect(store.serviceNames).toEqual(['web', 'api']);
    expect(store.service('web').settings).toMatchObject({ maxReplicas: 4, cpuLimit: defaultSettings.cpuLimit, statsPort: 9500 });
    expect(store.service('api').settings).toMatchObject({ image: 'shop/api:1', frontendPort: 9081, statsPort: 9500 });
    expect(store.service('api').desired).toBeNull();
  });

  it('checks a global change against every service, naming the one it breaks, and changes nothing then', () => {
    writeFileSync(file(), JSON.stringify({ settings: {}, services: [{ name: 'web', settings: {} }, { name: 'api', settings: { frontendPort: 9081 } }] }));
    const store = new SettingsStore(dir);
    const before = readFileSync(file(), 'utf8');
    expect(() => store.service('web').update({ statsPort: 9081 })).toThrow(new SettingsError('statsPort', 'must differ from frontendPort (9081) (for the service api)'));
    expect(store.service('api').settings.statsPort).toBe(defaultSettings.statsPort);
    expect(readFileSync(file(), 'utf8')).toBe(before);
    // A good one reaches every service.
    store.service('api').update({ sampleIntervalMs: 2000 });
    expect(store.service('web').settings.sampleIntervalMs).toBe(2000);
  });

  it('adds a service over the defaults and the global settings, and removes it again, never the last one', () => {
    const store = new SettingsStore(dir);
    store.update({ driver: 'process', statsPort: 9500 });
    const api = store.addService('api', { image: 'shop/api:1', frontendPort: 9081, maxReplicas: 4 });
    expect(store.serviceNames).toEqual(['web', 'api']);
    expect(api.settings).toMatchObject({ image: 'shop/api:1', frontendPort: 9081, maxReplicas: 4, driver: 'process', statsPort: 9500, swarmService: 'scaledeck-api' });
    expect(new SettingsStore(dir).service('api').settings).toEqual(api.settings);
    store.removeService('api');
    expect(new SettingsStore(dir).serviceNames).toEqual(['web']);
    expect(() => store.removeService('web')).toThrow(new SettingsError('name', 'web is the only service; an app keeps at least one'));
  });

  it('refuses a bad new service naming the field, and saves nothing', () => {
    const store = new SettingsStore(dir);
    store.addService('api', { frontendPort: 9081 });
    const before = readFileSync(file(), 'utf8');
    expect(() => store.addService('api', { frontendPort: 9082 })).toThrow(new SettingsError('name', 'a service named api exists already'));
    expect(() => store.addService('no good', {})).toThrow(SettingsError);
    expect(() => store.addService('w2', {})).toThrow(new SettingsError('frontendPort', '127.0.0.1:8080 is the frontend of the service web; choose another port'));
    expect(() => store.addService('w3', { frontendPort: 9081, frontendHost: '0.0.0.0' })).toThrow(/frontend of the service api/);
    expect(() => store.addService('w4', { frontendPort: 9083, cpuLimit: 0 })).toThrow(/^cpuLimit: /);
    expect(() => store.addService('w5', { frontendPort: 9084, statsPort: 9999 })).toThrow(/^statsPort: is a setting of the whole app/);
    expect(() => store.service('web').update({ frontendPort: 9081 })).toThrow(/frontend of the service api/);
    expect(readFileSync(file(), 'utf8')).toBe(before);
    for (let i = 2; i < 16; i++) store.addService(`s${i}`, { frontendPort: 9100 + i });
    expect(() => store.addService('s16', { frontendPort: 9200 })).toThrow(new SettingsError('name', 'ScaleDeck runs at most 16 services'));
  });

  it('partitions every setting: the global ones are named, every other belongs to a service', () => {
    expect(GLOBAL_SETTINGS.every((name) => name in SettingsShape.shape)).toBe(true);
    expect([...GLOBAL_SETTINGS].sort()).toEqual(['dockerHost', 'driver', 'haproxyPath', 'hostCpuBudget', 'keepRunningOnQuit', 'sampleIntervalMs', 'sharedFrontendHost', 'sharedFrontendPort', 'statsPort']);
  });

  it('names services as Compose does', () => {
    for (const good of ['web', 'api-v2', 'shop_front', 'a.b', '9lives']) expect(serviceNameProblem(good)).toBeUndefined();
    for (const bad of ['', '-web', '.x', 'a b', 'ünï', 'x'.repeat(64), 7]) expect(serviceNameProblem(bad)).toBeDefined();
  });
});
