// Specification of the settings schema: field validation, cross-field rules, patches and loading stored values.
import fc from 'fast-check';
import { PROPERTY_TIMEOUT_MS, propertyRuns } from '../../support/property-seed.js';
import { describe, expect, it } from 'vitest';
import {
  applySettingsPatch,
  defaultSettings,
  parseSettings,
  SettingsError,
  settingsFromStored,
  SettingsShape,
} from '../../../electron/contract/settings-schema.js';

/** Runs `fn` and returns the SettingsError it throws; fails the test if it throws anything else or nothing. */
function settingsError(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return error as SettingsError;
  }
  throw new Error('expected a SettingsError, but nothing was thrown');
}

const firstRule = defaultSettings.rules[0];

describe('default settings', () => {
  it('pass their own validation', () => {
    expect(parseSettings(defaultSettings)).toEqual(defaultSettings);
  });

  it('name every field the schema knows but the first rule\'s flat shorthand, and no other', () => {
    const shorthand = ['metric', 'scaleUpThreshold', 'scaleDownThreshold', 'targetValue'];
    expect(Object.keys(defaultSettings).sort()).toEqual(Object.keys(SettingsShape.shape).filter((key) => !shorthand.includes(key)).sort());
  });

  it('include every setting named in the public API', () => {
    const publicNames = [
      'driver', 'image', 'containerPort', 'healthPath', 'cpuLimit', 'memoryLimitMb', 'frontendHost', 'frontendPort',
      'statsPort', 'minReplicas', 'maxReplicas', 'mode', 'policy', 'rules', 'step', 'breachSamples', 'sampleIntervalMs', 'scaleUpCooldownS', 'scaleDownCooldownS',
      'scaleDownStabilizationS', 'warmupS', 'drainTimeoutS',
    ];
    expect(Object.keys(defaultSettings)).toEqual(expect.arrayContaining(publicNames));
  });
});

describe('parseSettings', () => {
  it.each([
    ['frontendPort', { frontendPort: 0 }],
    ['frontendPort', { frontendPort: 65536 }],
    ['containerPort', { containerPort: 80.5 }],
    ['scaleUpThreshold', { scaleUpThreshold: 'high' }],
    ['driver', { driver: 'kubernetes' }],
    ['healthPath', { healthPath: 'healthz' }],
    ['cpuLimit', { cpuLimit: 0.01 }],
    ['minReplicas', { minReplicas: -1 }],
    ['maxReplicas', { maxReplicas: 0 }],
    ['step', { step: 0 }],
    ['sampleIntervalMs', { sampleIntervalMs: 100 }],
    ['swarmService', { swarmService: '-bad' }],
    ['keepRunningOnQuit', { keepRunningOnQuit: 'yes' }],
    ['haproxyPath', { haproxyPath: 'sbin/haproxy' }],
    ['haproxyPath', { haproxyPath: '/usr/sbin/haproxy\n-f /etc/passwd' }],
  ])('rejects a bad %s and names it', (field, change) => {
    expect(settingsError(() => parseSettings({ ...defaultSettings, ...change })).field).toBe(field);
  });

  it('rejects a missing field and names it', () => {
    const withoutImage: Record<string, unknown> = { ...defaultSettings };
    delete withoutImage.image;
    expect(settingsError(() => parseSettings(withoutImage)).field).toBe('image');
  });

  it('rejects an unknown field as "not a setting"', () => {
    const error = settingsError(() => parseSettings({ ...defaultSettings, unknownField: 1 }));
    expect(error.field).toBe('unknownField');
    expect(error.message).toBe('unknownField: is not a setting');
  });

  it('rejects what is not an object at all', () => {
    expect(settingsError(() => parseSettings(null)).field).toBe('settings');
    expect(settingsError(() => parseSettings('settings')).field).toBe('settings');
  });

  it.each([
    ['minReplicas', { minReplicas: 5, maxReplicas: 2 }, 'minReplicas: must not exceed maxReplicas (2)'],
    ['scaleDownThreshold', { scaleDownThreshold: 70, scaleUpThreshold: 70 }, 'scaleDownThreshold: must be below scaleUpThreshold (70)'],
    ['scaleUpThreshold', { metric: 'host-cpu', scaleUpThreshold: 150 }, 'scaleUpThreshold: is a percentage for host-cpu and must be 100 or less'],
    ['targetValue', { policy: 'target', metric: 'replica-cpu', targetValue: 120 }, 'targetValue: is a percentage for replica-cpu and must be 100 or less'],
    ['statsPort', { statsPort: 8080, frontendPort: 8080 }, 'statsPort: must differ from frontendPort (8080)'],
  ])('enforces the cross-field rule on %s', (field, change, message) => {
    const error = settingsError(() => parseSettings({ ...defaultSettings, ...change }));
    expect(error.field).toBe(field);
    expect(error.message).toBe(message);
  });

  it('allows thresholds above 100 when they are request rates', () => {
    const rps = { ...defaultSettings, metric: 'rps-per-replica', scaleUpThreshold: 500, scaleDownThreshold: 100, policy: 'target', targetValue: 300 };
    expect(parseSettings(rps).rules[0]).toMatchObject({ scaleUpThreshold: 500, targetValue: 300 });
  });

  it('accepts min equal to max', () => {
    expect(parseSettings({ ...defaultSettings, minReplicas: 3, maxReplicas: 3 })).toMatchObject({ minReplicas: 3, maxReplicas: 3 });
  });
});

describe('applySettingsPatch', () => {
  it('returns a new object with the change, leaving the current settings untouched', () => {
    const current = { ...defaultSettings };
    const next = applySettingsPatch(current, { scaleUpThreshold: 80, step: 2 });
    expect(next).toEqual({ ...defaultSettings, step: 2, rules: [{ ...firstRule, scaleUpThreshold: 80 }] });
    expect(current).toEqual(defaultSettings);
  });

  it('accepts an empty patch', () => {
    expect(applySettingsPatch(defaultSettings, {})).toEqual(defaultSettings);
  });

  it.each([
    ['minReplicas', { minReplicas: 5, maxReplicas: 2 }],
    ['frontendPort', { frontendPort: 0 }],
    ['unknownField', { unknownField: 1 }],
    ['scaleUpThreshold', { scaleUpThreshold: 'high' }],
    ['scaleDownThreshold', { scaleDownThreshold: 90 }],
    ['mode', { mode: 'auto-ish', step: 2 }],
  ])('rejects the whole patch on a bad %s, applying none of it', (field, patch) => {
    const current = { ...defaultSettings };
    expect(settingsError(() => applySettingsPatch(current, patch)).field).toBe(field);
    expect(current).toEqual(defaultSettings);
  });

  it('checks cross-field rules against the merged result', () => {
    // maxReplicas 2 alone is fine while minReplicas is 1; with minReplicas 3 it is not.
    expect(applySettingsPatch(defaultSettings, { maxReplicas: 2 }).maxReplicas).toBe(2);
    expect(settingsError(() => applySettingsPatch({ ...defaultSettings, minReplicas: 3 }, { maxReplicas: 2 })).field).toBe('minReplicas');
  });

  it('lets a patch move both thresholds past each other in one step', () => {
    const next = applySettingsPatch(defaultSettings, { scaleDownThreshold: 80, scaleUpThreshold: 90 });
    expect(next.rules[0]).toMatchObject({ scaleDownThreshold: 80, scaleUpThreshold: 90 });
  });

  it('rejects a patch that is not an object', () => {
    expect(settingsError(() => applySettingsPatch(defaultSettings, [1, 2])).field).toBe('settings');
  });
});

describe('settingsFromStored', () => {
  it('gives the defaults for an empty store', () => {
    expect(settingsFromStored({})).toEqual(defaultSettings);
  });

  it('keeps every stored value that validates', () => {
    expect(settingsFromStored({ maxReplicas: 4, scaleUpThreshold: 85 })).toEqual({ ...defaultSettings, maxReplicas: 4, rules: [{ ...firstRule, scaleUpThreshold: 85 }] });
  });

  it('falls back to the default field by field for values that no longer validate', () => {
    const stored = { maxReplicas: 4, frontendPort: 'eighty', scaleUpCooldownS: -3, step: 2 };
    expect(settingsFromStored(stored)).toEqual({ ...defaultSettings, maxReplicas: 4, step: 2 });
  });

  it('ignores fields it does not know, such as ones a newer version wrote', () => {
    expect(settingsFromStored({ futureSetting: true, step: 3 })).toEqual({ ...defaultSettings, step: 3 });
  });

  it('always returns settings that pass validation, even from contradictory stored values', () => {
    const settings = settingsFromStored({ minReplicas: 8, maxReplicas: 3, scaleDownThreshold: 95, scaleUpThreshold: 20 });
    expect(parseSettings(settings)).toEqual(settings);
  });
});

describe('applySettingsPatch invariants on random patches', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  const numberOrJunk = fc.oneof(fc.integer({ min: -10, max: 70000 }), fc.double({ noNaN: false }), fc.string(), fc.constant(null));
  const patch = fc.dictionary(fc.constantFrom(...Object.keys(defaultSettings), 'unknownField'), numberOrJunk, { maxKeys: 4 });

  it('either throws a SettingsError naming a patched or dependent field, or returns settings that hold every rule', () => {
    fc.assert(
      fc.property(patch, (change) => {
        let next;
        try {
          next = applySettingsPatch(defaultSettings, change);
        } catch (error) {
          expect(error).toBeInstanceOf(SettingsError);
          expect(Object.keys(SettingsShape.shape).concat('unknownField')).toContain((error as SettingsError).field);
          return;
        }
        expect(parseSettings(next)).toEqual(next);
        expect(next.minReplicas).toBeLessThanOrEqual(next.maxReplicas);
        expect(next.rules[0]!.scaleDownThreshold).toBeLessThan(next.rules[0]!.scaleUpThreshold);
        expect(next.statsPort).not.toBe(next.frontendPort);
      }),
      propertyRuns(1500),
    );
  });
});
