// Specification of how settings that shape HAProxy's config are checked before they are saved.
import { describe, expect, it, vi } from 'vitest';
import { haproxyConfigFor, haproxyRefusal } from '../../../electron/core/haproxy-settings.js';
import { defaultSettings, SettingsError } from '../../../electron/contract/settings-schema.js';

/** Only checkConfig is used; the rest of the supervisor would need a running haproxy. */
function supervisorThat(check: (text: string) => Promise<void>) {
  const checkConfig = vi.fn(check);
  return { supervisor: { checkConfig }, checkConfig };
}

describe('haproxyRefusal', () => {
  it('asks haproxy about the new settings\' config, not the running one', async () => {
    const { supervisor, checkConfig } = supervisorThat(async () => undefined);
    const next = { ...defaultSettings, healthPath: '/ready' };
    expect(await haproxyRefusal(supervisor, (s) => haproxyConfigFor('/tmp/sd', s), defaultSettings, next)).toBeUndefined();
    expect(checkConfig).toHaveBeenCalledWith(haproxyConfigFor('/tmp/sd', next));
    expect(checkConfig.mock.calls[0]![0]).toContain('option httpchk GET /ready');
  });

  it('names the HAProxy setting that changed when haproxy refuses the config', async () => {
    const { supervisor } = supervisorThat(async () => {
      throw new Error('HAProxy refuses this configuration: cannot bind');
    });
    const refusal = await haproxyRefusal(supervisor, (s) => haproxyConfigFor('/tmp/sd', s), defaultSettings, { ...defaultSettings, statsPort: 9999 });
    expect(refusal).toBeInstanceOf(SettingsError);
    expect(refusal?.field).toBe('statsPort');
    expect(refusal?.message).toBe('statsPort: HAProxy refuses this configuration: cannot bind');
  });

  it('does not ask haproxy when no HAProxy setting changed', async () => {
    const { supervisor, checkConfig } = supervisorThat(async () => undefined);
    const next = { ...defaultSettings, drainTimeoutS: 12 };
    expect(await haproxyRefusal(supervisor, (s) => haproxyConfigFor('/tmp/sd', s), defaultSettings, next)).toBeUndefined();
    expect(checkConfig).not.toHaveBeenCalled();
  });
});
