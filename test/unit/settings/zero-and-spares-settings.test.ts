// The settings of scale to zero, warm spares and slow start: their defaults and the errors that name them.
import { describe, expect, it } from 'vitest';
import { applySettingsPatch, defaultSettings, SettingsError } from '../../../electron/contract/settings-schema.js';

function rejection(patch: Record<string, unknown>): SettingsError {
  try {
    applySettingsPatch(defaultSettings, patch);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(patch)} was accepted`);
}

describe('scale-to-zero, standby and slow-start settings', () => {
  it('default to a 30 s hold, no spares and no ramp', () => {
    expect(defaultSettings).toMatchObject({ holdTimeoutS: 30, standbyReplicas: 0, slowStartS: 0 });
  });

  it('accept minReplicas 0 in auto mode, with spares and a ramp', () => {
    const next = applySettingsPatch(defaultSettings, { mode: 'auto', minReplicas: 0, standbyReplicas: 2, slowStartS: 10, holdTimeoutS: 5 });
    expect(next).toMatchObject({ minReplicas: 0, standbyReplicas: 2, slowStartS: 10, holdTimeoutS: 5 });
  });

  it.each([
    [{ holdTimeoutS: 0 }, 'holdTimeoutS', /at least 1 s/],
    [{ holdTimeoutS: 301 }, 'holdTimeoutS', /300 s or less/],
    [{ standbyReplicas: -1 }, 'standbyReplicas', /0 or more/],
    [{ standbyReplicas: 1.5 }, 'standbyReplicas', /whole number/],
    [{ standbyReplicas: 11 }, 'standbyReplicas', /10 or less/],
    [{ maxReplicas: 95, standbyReplicas: 10 }, 'standbyReplicas', /within 100 replicas/],
    [{ driver: 'swarm', standbyReplicas: 1 }, 'standbyReplicas', /not supported by the swarm driver/],
    [{ slowStartS: -1 }, 'slowStartS', /0 or more/],
    [{ slowStartS: 'fast' }, 'slowStartS', /number/i],
  ])('rejects %j naming %s, and leaves the settings as they were', (patch, field, message) => {
    const before = structuredClone(defaultSettings);
    const error = rejection(patch);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(defaultSettings).toEqual(before);
  });
});
