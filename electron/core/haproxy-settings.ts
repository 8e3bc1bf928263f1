// The settings that shape HAProxy's config: rendering them, and asking HAProxy to accept them before they are saved.
import { renderHaproxyConfig, type ConfiguredServer } from '../../haproxy/config.js';
import type { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { BACKEND_NAME } from './haproxy-backend.js';
import { SettingsError, type Settings } from './settings.js';

/** Settings whose change re-renders the HAProxy config (the frontend, stats page or health check moved). */
export const HAPROXY_FIELDS = ['frontendHost', 'frontendPort', 'statsPort', 'healthPath'] as const;

export function haproxyConfigFor(dataDir: string, settings: Settings, servers: ConfiguredServer[] = []): string {
  return renderHaproxyConfig({ dataDir, ...settings, backendName: BACKEND_NAME, servers });
}

export function changesHaproxyConfig(before: Settings, next: Settings): boolean {
  return HAPROXY_FIELDS.some((key) => before[key] !== next[key]);
}

/**
 * Renders `next` and has haproxy check it (`haproxy -c`) while the running one keeps serving; the refusal names the
 * first HAProxy setting that changed, since that is the one the person just set.
 */
export async function haproxyRefusal(supervisor: HaproxySupervisor, dataDir: string, before: Settings, next: Settings): Promise<SettingsError | undefined> {
  const field = HAPROXY_FIELDS.find((key) => before[key] !== next[key]);
  if (field === undefined) return undefined;
  try {
    await supervisor.checkConfig(haproxyConfigFor(dataDir, next));
    return undefined;
  } catch (error) {
    return new SettingsError(field, (error as Error).message);
  }
}
