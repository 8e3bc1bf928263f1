// Specification of the schedule and pause settings: what they accept, what they refuse (naming the field), and how
// they are stored and read back from files written before they existed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySettingsPatch, defaultSettings, SettingsError, settingsFromStored } from '../../../electron/contract/settings-schema.js';
import { SettingsStore } from '../../../electron/core/settings-store.js';

const morning = { name: 'weekday-morning', cron: '0 9 * * 1-5', durationMin: 180, minReplicas: 4, timezone: 'Europe/Berlin' };

function refusal(patch: unknown): SettingsError {
  try {
    applySettingsPatch(defaultSettings, patch);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return error as SettingsError;
  }
  throw new Error(`expected ${JSON.stringify(patch)} to be refused`);
}

describe('schedules and pauses in the settings', () => {
  it('start empty and unpaused', () => {
    expect(defaultSettings.schedules).toEqual([]);
    expect(defaultSettings.pauseScaleIn).toBe(false);
    expect(defaultSettings.pauseScaleOut).toBe(false);
  });

  it('accept up to 8 windows, with or without a time zone, and both pauses', () => {
    const eight = Array.from({ length: 8 }, (_, i) => ({ name: `w${i}`, cron: `${i} * * * *`, durationMin: 10, maxReplicas: 20 }));
    expect(applySettingsPatch(defaultSettings, { schedules: eight }).schedules).toHaveLength(8);
    const next = applySettingsPatch(defaultSettings, { schedules: [morning], pauseScaleIn: true, pauseScaleOut: true });
    expect(next.schedules).toEqual([morning]);
    expect([next.pauseScaleIn, next.pauseScaleOut]).toEqual([true, true]);
  });

  it.each([
    [{ schedules: [{ ...morning, cron: '0 9 * *' }] }, 'schedules.0.cron', /5-field cron/],
    [{ schedules: [{ ...morning, cron: '0 0 9 * * 1-5' }] }, 'schedules.0.cron', /5-field cron/],
    [{ schedules: [{ ...morning, cron: '61 9 * * *' }] }, 'schedules.0.cron', /minute/],
    [{ schedules: [{ ...morning, timezone: 'Mars/Olympus' }] }, 'schedules.0.timezone', /IANA time zone/],
    [{ schedules: [{ ...morning, durationMin: 0 }] }, 'schedules.0.durationMin', /at least 1 minute/],
    [{ schedules: [{ ...morning, durationMin: 10081 }] }, 'schedules.0.durationMin', /10080/],
    [{ schedules: [morning, { ...morning, cron: '0 18 * * *' }] }, 'schedules.1.name', /unique/],
    [{ schedules: [{ ...morning, minReplicas: 6, maxReplicas: 5 }] }, 'schedules.0.minReplicas', /must not exceed the window's maxReplicas \(5\)/],
    [{ schedules: [{ ...morning, minReplicas: 101 }] }, 'schedules.0.minReplicas', /100 or less/],
    [{ schedules: [{ ...morning, minReplicas: -1 }] }, 'schedules.0.minReplicas', /0 or more/],
    [{ schedules: [{ ...morning, minReplicas: undefined }] }, 'schedules.0.minReplicas', /or maxReplicas must be set/],
    [{ schedules: [{ ...morning, name: '' }] }, 'schedules.0.name', /letters/],
    [{ schedules: [{ ...morning, extra: 1 }] }, 'schedules.0', /not a setting/],
    [{ schedules: Array.from({ length: 9 }, (_, i) => ({ ...morning, name: `w${i}` })) }, 'schedules', /8 windows or fewer/],
    [{ standbyReplicas: 5, schedules: [{ ...morning, maxReplicas: 98 }] }, 'schedules.0.maxReplicas', /within 100 replicas/],
  ])('refuses %j naming %s, and changes nothing', (patch, field, message) => {
    const error = refusal(patch);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(defaultSettings.schedules).toEqual([]);
  });

  it('store the windows as written and read them back', () => {
    const next = applySettingsPatch(defaultSettings, { schedules: [morning], pauseScaleOut: true });
    const stored = JSON.parse(JSON.stringify(next)) as Record<string, unknown>;
    expect(stored.schedules).toEqual([morning]);
    expect(settingsFromStored(stored)).toEqual(next);
  });

  it('read a file written before schedules and pauses as none and unpaused', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'scaledeck-schedules-'));
    try {
      writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ settings: { maxReplicas: 6, metric: 'host-cpu' }, desired: 2 }));
      const store = new SettingsStore(dir);
      expect(store.settings.schedules).toEqual([]);
      expect(store.settings.pauseScaleIn).toBe(false);
      expect(store.settings.maxReplicas).toBe(6);
      store.update({ schedules: [morning] });
      expect(new SettingsStore(dir).settings.schedules).toEqual([morning]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keep the other stored settings when a hand-edited window no longer validates', () => {
    const settings = settingsFromStored({ maxReplicas: 7, schedules: [{ ...morning, cron: 'not cron' }] });
    expect(settings.schedules).toEqual([]);
    expect(settings.maxReplicas).toBe(7);
  });
});
