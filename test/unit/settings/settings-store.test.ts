// Specification of settings persistence in a temp folder, and of where the data folder is on each platform.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings, SettingsError } from '../../../electron/contract/settings-schema.js';
import { defaultDataDir, SettingsStore } from '../../../electron/core/settings-store.js';
import { readSettingsFile } from '../../support/settings-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'scaledeck-settings-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});


describe('SettingsStore', () => {
  it('starts with the defaults and no desired count in an empty folder', () => {
    const store = new SettingsStore(dir);
    expect(store.settings).toEqual(defaultSettings);
    expect(store.desired).toBeNull();
  });

  it('writes only the settings that differ from the defaults', () => {
    const store = new SettingsStore(dir);
    store.update({ maxReplicas: 6 });
    store.update({ scaleUpThreshold: 80 });
    store.update({ scaleUpThreshold: defaultSettings.rules[0]!.scaleUpThreshold });
    expect(readSettingsFile(store.path).settings).toEqual({ maxReplicas: 6 });
    expect(new SettingsStore(dir).settings).toEqual({ ...defaultSettings, maxReplicas: 6 });
  });

  it('keeps its file in the given folder as settings.json', () => {
    expect(new SettingsStore(dir).path).toBe(path.join(dir, 'settings.json'));
  });

  it('persists an update so that a new store on the same folder reads it', () => {
    const store = new SettingsStore(dir);
    const updated = store.update({ scaleUpThreshold: 85, maxReplicas: 4, mode: 'manual' });
    expect(updated).toEqual({ ...defaultSettings, maxReplicas: 4, mode: 'manual', rules: [{ ...defaultSettings.rules[0], scaleUpThreshold: 85 }] });
    expect(store.settings).toEqual(updated);
    expect(new SettingsStore(dir).settings).toEqual(updated);
  });

  it('applies successive updates on top of each other', () => {
    const store = new SettingsStore(dir);
    store.update({ step: 2 });
    store.update({ breachSamples: 5 });
    expect(new SettingsStore(dir).settings).toMatchObject({ step: 2, breachSamples: 5 });
  });

  it.each([
    ['minReplicas', { minReplicas: 5, maxReplicas: 2 }],
    ['frontendPort', { frontendPort: 0 }],
    ['unknownField', { unknownField: 1 }],
    ['scaleUpThreshold', { scaleUpThreshold: 'high' }],
    ['maxReplicas', { step: 2, maxReplicas: 0 }],
  ])('rejects a bad %s with a SettingsError naming it, changing nothing in memory or on disk', (field, patch) => {
    const store = new SettingsStore(dir);
    store.update({ step: 3 });
    const fileBefore = readFileSync(store.path, 'utf8');
    let thrown: unknown;
    try {
      store.update(patch);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SettingsError);
    expect((thrown as SettingsError).field).toBe(field);
    expect(store.settings).toEqual({ ...defaultSettings, step: 3 });
    expect(readFileSync(store.path, 'utf8')).toBe(fileBefore);
    expect(new SettingsStore(dir).settings).toEqual({ ...defaultSettings, step: 3 });
  });

  it('writes nothing when the very first update is rejected', () => {
    const store = new SettingsStore(dir);
    expect(() => store.update({ frontendPort: 0 })).toThrow(SettingsError);
    expect(new SettingsStore(dir).settings).toEqual(defaultSettings);
  });

  it('persists the desired replica count across restarts', () => {
    const store = new SettingsStore(dir);
    store.setDesired(4);
    expect(store.desired).toBe(4);
    expect(new SettingsStore(dir).desired).toBe(4);
    store.setDesired(0);
    expect(new SettingsStore(dir).desired).toBe(0);
  });

  it('keeps settings and the desired count apart: one never overwrites the other', () => {
    const store = new SettingsStore(dir);
    store.setDesired(3);
    store.update({ step: 2 });
    const reopened = new SettingsStore(dir);
    expect(reopened.desired).toBe(3);
    expect(reopened.settings.step).toBe(2);
  });

  it.each([-1, 1.5, 101, Number.NaN])('refuses %s as a desired count', (n) => {
    const store = new SettingsStore(dir);
    expect(() => store.setDesired(n)).toThrow(/whole number from 0 to 100/);
    expect(store.desired).toBeNull();
  });

  it('falls back to the default for a hand-corrupted value, keeping the valid ones', () => {
    const store = new SettingsStore(dir);
    store.update({ maxReplicas: 6, scaleUpThreshold: 90 });
    store.setDesired(2);
    const { file } = readSettingsFile(store.path);
    file.services![0]!.settings = { ...file.services![0]!.settings, frontendPort: 'not a port', rules: [{ ...defaultSettings.rules[0], scaleUpThreshold: -5 }] };
    writeFileSync(store.path, JSON.stringify(file));

    const reopened = new SettingsStore(dir);
    expect(reopened.settings).toEqual({ ...defaultSettings, maxReplicas: 6 });
    expect(reopened.desired).toBe(2);
  });

  it('ignores a hand-corrupted desired count', () => {
    const store = new SettingsStore(dir);
    writeFileSync(store.path, JSON.stringify({ desired: 'three' }));
    expect(new SettingsStore(dir).desired).toBeNull();
  });

  it('starts from the defaults when the file is not JSON any more, keeping the broken file beside it', () => {
    const store = new SettingsStore(dir);
    store.update({ step: 2 });
    writeFileSync(store.path, '{ "settings": { "step": 2 ');
    const recovered = new SettingsStore(dir, new Date('2026-11-29T10:11:12.345Z'));
    expect(recovered.settings).toEqual(defaultSettings);
    expect(recovered.desired).toBeNull();
    expect(recovered.setAside).toBe(`${store.path}.corrupt-2026-11-29T10-11-12-345Z`);
    expect(readFileSync(recovered.setAside!, 'utf8')).toBe('{ "settings": { "step": 2 ');
  });

  it('sets nothing aside when the file reads', () => {
    new SettingsStore(dir).update({ step: 2 });
    expect(new SettingsStore(dir).setAside).toBeNull();
  });

  it('starts from the defaults when the settings entry is not an object', () => {
    const store = new SettingsStore(dir);
    writeFileSync(store.path, JSON.stringify({ settings: [1, 2, 3] }));
    expect(new SettingsStore(dir).settings).toEqual(defaultSettings);
  });

  it('creates the folder when it does not exist yet', () => {
    const nested = path.join(dir, 'a', 'b');
    const store = new SettingsStore(nested);
    store.update({ step: 2 });
    expect(new SettingsStore(nested).settings.step).toBe(2);
  });
});

describe('defaultDataDir', () => {
  const home = '/home/ada';

  it('prefers $SCALEDECK_DATA_DIR on every platform', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(defaultDataDir({ SCALEDECK_DATA_DIR: '/srv/scaledeck', XDG_CONFIG_HOME: '/x' }, platform, home)).toBe(path.resolve('/srv/scaledeck'));
    }
  });

  it('uses $XDG_CONFIG_HOME/scaledeck on Linux', () => {
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/home/ada/.cfg' }, 'linux', home)).toBe('/home/ada/.cfg/scaledeck');
  });

  it('uses ~/.config/scaledeck on Linux without XDG_CONFIG_HOME, or with a relative one', () => {
    expect(defaultDataDir({}, 'linux', home)).toBe('/home/ada/.config/scaledeck');
    expect(defaultDataDir({ XDG_CONFIG_HOME: 'relative/cfg' }, 'linux', home)).toBe('/home/ada/.config/scaledeck');
  });

  it('uses ~/Library/Application Support/ScaleDeck on macOS', () => {
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x' }, 'darwin', '/Users/ada')).toBe('/Users/ada/Library/Application Support/ScaleDeck');
  });

  it('uses %APPDATA%\\ScaleDeck on Windows', () => {
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ada')).toBe('C:\\Users\\ada\\AppData\\Roaming\\ScaleDeck');
    expect(defaultDataDir({}, 'win32', 'C:\\Users\\ada')).toBe('C:\\Users\\ada\\AppData\\Roaming\\ScaleDeck');
  });

  it('reads the real environment by default', () => {
    const saved = process.env.SCALEDECK_DATA_DIR;
    process.env.SCALEDECK_DATA_DIR = dir;
    try {
      expect(defaultDataDir()).toBe(dir);
    } finally {
      if (saved === undefined) delete process.env.SCALEDECK_DATA_DIR;
      else process.env.SCALEDECK_DATA_DIR = saved;
    }
  });
});
