// The event log's line for a settings change with rules: the first rule's change in its flat fields, other rules
// in words, nothing said twice.
import { describe, expect, it } from 'vitest';
import { describeSettingsChange } from '../../../electron/core/settings-change.js';
import { changedFields } from '../../../electron/core/settings-reactions.js';
import { applySettingsPatch, defaultSettings } from '../../../electron/contract/settings-schema.js';

const latency = { metric: 'latency-p95' as const, scaleUpThreshold: 150, scaleDownThreshold: 40, targetValue: 100 };
const line = (before = defaultSettings, patch: object) => {
  const next = applySettingsPatch(before, patch);
  return describeSettingsChange(before, next, changedFields(before, next));
};

describe('the settings-changed line', () => {
  it('names a first-rule change by its flat field only', () => {
    expect(line(defaultSettings, { scaleUpThreshold: 80 })).toBe('Settings changed: scaleUpThreshold 70 -> 80');
  });

  it('describes an added rule in words', () => {
    expect(line(defaultSettings, { rules: [defaultSettings.rules[0], latency] })).toBe(
      'Settings changed: rules [replica-cpu up 70 down 30 target 50] -> [replica-cpu up 70 down 30 target 50; latency-p95 up 150 down 40 target 100]',
    );
  });

  it('does not count an untouched rules list as changed', () => {
    const two = applySettingsPatch(defaultSettings, { rules: [defaultSettings.rules[0], latency] });
    const next = applySettingsPatch(two, { step: 2 });
    expect(changedFields(two, next)).toEqual(['step']);
  });

  it('describes schedule windows in words, and pauses by their value', () => {
    const window = { name: 'weekday-morning', cron: '0 9 * * 1-5', durationMin: 180, minReplicas: 4, timezone: 'Europe/Berlin' };
    expect(line(defaultSettings, { schedules: [window], pauseScaleIn: true })).toBe(
      'Settings changed: schedules [] -> ["weekday-morning" 0 9 * * 1-5 for 180 min, min 4, Europe/Berlin], pauseScaleIn false -> true',
    );
  });
});
