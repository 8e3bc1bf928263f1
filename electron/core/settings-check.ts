// What a settings patch must pass before it is saved: the schema, free ports for new ones, and HAProxy's own check.
import { applySettingsPatch, SettingsError, type Settings } from '../contract/settings-schema.js';
import type { HaproxyProcess } from './control-plane-parts.js';
import { haproxyRefusal } from './haproxy-settings.js';
import { bindProblem, foreignAddressProblem, machineAddresses } from './local-addresses.js';

export interface SettingsCheckDeps {
  /** Why a port cannot be bound on a host, or null when it is free. */
  portBlocker: (port: number, host: string) => Promise<string | null>;
  haproxy: Pick<HaproxyProcess, 'checkConfig'>;
  /** The whole config HAProxy would run with these settings for the service being changed. */
  render: (next: Settings) => string;
  /** This machine's addresses, and whether one can be listened on; the real ones when left out. */
  addresses?: { list: () => string[]; bindProblem: (host: string) => Promise<string | null> };
}

const realAddresses = { list: machineAddresses, bindProblem };

/** The settings the patch makes, or an error naming the field to fix. Saves nothing and changes nothing. */
export async function checkSettingsPatch(
  before: Settings,
  patch: unknown,
  deps: SettingsCheckDeps,
): Promise<{ next: Settings } | { error: string; field?: string }> {
  let next: Settings;
  try {
    next = applySettingsPatch(before, patch);
  } catch (error) {
    if (error instanceof SettingsError) return { error: error.message, field: error.field };
    throw error;
  }
  for (const field of ['frontendHost', 'sharedFrontendHost'] as const) {
    if (next[field] === before[field]) continue;
    // A foreign address would be saved, then fail HAProxy's bind and take the frontend down until it is set back.
    const addresses = deps.addresses ?? realAddresses;
    const problem = foreignAddressProblem(next[field], addresses.list()) ?? (await addresses.bindProblem(next[field]));
    if (problem) return { error: `${field}: ${problem}`, field };
  }
  // Only a new port can be checked: the current one is held by our own HAProxy on every host address.
  const ports = [['frontendPort', next.frontendHost], ['statsPort', '127.0.0.1'], ['sharedFrontendPort', next.sharedFrontendHost]] as const;
  for (const [field, host] of ports) {
    // 0: no frontend of its own, or no shared frontend; nothing to bind.
    if (next[field] === 0) continue;
    const blocker = next[field] !== before[field] ? await deps.portBlocker(next[field], host) : null;
    if (blocker) return { error: `${field}: ${blocker}; choose another port`, field };
  }
  const refusal = await haproxyRefusal(deps.haproxy, deps.render, before, next);
  if (refusal) return { error: refusal.message, field: refusal.field };
  return { next };
}
