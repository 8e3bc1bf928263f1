// Specification of the `rules` setting: the flat fields as shorthand for the first rule, validation naming the rule's
// field, tolerances per direction, and a settings file from before `rules` migrated.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../../electron/core/settings-store.js';
import { applySettingsPatch, defaultSettings, SettingsError, settingsFromStored, type ScalingRule } from '../../../electron/contract/settings-schema.js';
import { readSettingsFile } from '../../support/settings-file.js';

const latencyRule: ScalingRule = { metric: 'latency-p95', scaleUpThreshold: 150, scaleDownThreshold: 40, targetValue: 100 };

function rejection(patch: unknown): { field: string; message: string } {
  try {
    applySettingsPatch(defaultSettings, patch);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return { field: (error as SettingsError).field, message: (error as SettingsError).message };
  }
  throw new Error('expected the patch to be rejected');
}

describe('rules', () => {
  it('default to one rule that the flat fields mirror', () => {
    expect(defaultSettings.rules).toEqual([{ metric: 'replica-cpu', scaleUpThreshold: 70, scaleDownThreshold: 30, targetValue: 50 }]);
    expect(defaultSettings.targetToleranceUp).toBe(0.1);
    expect(defaultSettings.targetToleranceDown).toBe(0.1);
  });

  it('take flat fields in a patch as a change of the first rule, keeping the others', () => {
    const two = applySettingsPatch(defaultSettings, { rules: [defaultSettings.rules[0], latencyRule] });
    const next = applySettingsPatch(two, { metric: 'host-cpu', scaleUpThreshold: 80 });
    expect(next.rules).toEqual([{ metric: 'host-cpu', scaleUpThreshold: 80, scaleDownThreshold: 30, targetValue: 50 }, latencyRule]);
    // The shorthand is folded in, never kept beside `rules`.
    expect(Object.keys(next)).not.toContain('metric');
  });

  it('keep only rules when a patch of rules is given: no flat copy of the first', () => {
    const next = applySettingsPatch(defaultSettings, { rules: [latencyRule] });
    expect(next.rules).toEqual([latencyRule]);
    expect(Object.keys(next).filter((key) => ['metric', 'scaleUpThreshold', 'scaleDownThreshold', 'targetValue'].includes(key))).toEqual([]);
  });

  it.each([
    [{ rules: [] }, 'rules', 'must hold at least one rule'],
    [{ rules: Array.from({ length: 5 }, () => latencyRule) }, 'rules', 'must hold 4 rules or fewer'],
    [{ rules: [latencyRule, { ...latencyRule, metric: 'disk' }] }, 'rules.1.metric', ''],
    [{ rules: [latencyRule, { ...latencyRule, scaleDownThreshold: 200 }] }, 'rules.1.scaleDownThreshold', 'must be below scaleUpThreshold (150)'],
    [{ rules: [latencyRule, { metric: 'replica-memory', scaleUpThreshold: 120, scaleDownThreshold: 20, targetValue: 50 }] }, 'rules.1.scaleUpThreshold', 'is a percentage for replica-memory'],
    [{ rules: [latencyRule, { ...latencyRule, extra: 1 }] }, 'rules.1', 'is not a setting'],
    [{ scaleDownThreshold: 90 }, 'scaleDownThreshold', 'must be below scaleUpThreshold (70)'],
    [{ targetToleranceUp: -0.1 }, 'targetToleranceUp', 'must be 0 or more'],
    [{ targetToleranceDown: 2 }, 'targetToleranceDown', 'must be 1 (100 %) or less'],
  ])('reject %j naming the field', (patch, field, message) => {
    const error = rejection(patch);
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });

  it('migrate a settings file from before rules: its flat fields become the first rule', () => {
    const settings = settingsFromStored({ metric: 'rps-per-replica', scaleUpThreshold: 200, scaleDownThreshold: 50, maxReplicas: 6 });
    expect(settings.rules).toEqual([{ metric: 'rps-per-replica', scaleUpThreshold: 200, scaleDownThreshold: 50, targetValue: 50 }]);
    expect(settings).toMatchObject({ maxReplicas: 6 });
    expect(Object.keys(settings)).not.toContain('metric');
  });
});

describe('the settings file with rules', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps rules, not the flat shorthand, so the two can never disagree on disk', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'scaledeck-rules-'));
    const store = new SettingsStore(dir);
    store.update({ rules: [defaultSettings.rules[0], latencyRule] });
    store.update({ scaleUpThreshold: 85 });
    const onDisk = readSettingsFile(store.path);
    expect(onDisk.settings).toEqual({ rules: [{ ...defaultSettings.rules[0], scaleUpThreshold: 85 }, latencyRule] });
    expect(new SettingsStore(dir).settings).toEqual(store.settings);
  });

  it('reads an older file with flat fields only and writes it back as rules', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'scaledeck-rules-'));
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ settings: { metric: 'host-cpu', scaleUpThreshold: 60 } }));
    const store = new SettingsStore(dir);
    expect(store.settings.rules).toEqual([{ ...defaultSettings.rules[0], metric: 'host-cpu', scaleUpThreshold: 60 }]);
    store.update({ step: 2 });
    const onDisk = readSettingsFile(store.path);
    expect(onDisk.settings).toEqual({ rules: [{ ...defaultSettings.rules[0], metric: 'host-cpu', scaleUpThreshold: 60 }], step: 2 });
  });

  it('changes nothing, in memory or on disk, on a bad rule', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'scaledeck-rules-'));
    const store = new SettingsStore(dir);
    store.update({ rules: [latencyRule] });
    const before = readFileSync(store.path, 'utf8');
    expect(() => store.update({ rules: [latencyRule, { ...latencyRule, scaleUpThreshold: -1 }] })).toThrow(SettingsError);
    expect(store.settings.rules).toEqual([latencyRule]);
    expect(readFileSync(store.path, 'utf8')).toBe(before);
  });
});
