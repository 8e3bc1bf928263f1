// What a saved settings change sets in motion, as a table: which fields, and the reaction to them.
import type { Settings } from '../contract/settings-schema.js';
import { SPEC_FIELDS } from './replicas/generation.js';

export type Reaction = 'range-or-mode' | 'resample' | 'driver-note' | 'rollout' | 'reconfigure-haproxy' | 'recheck';

/** Fields whose change re-renders the HAProxy config (the frontend, stats page, health check or request hold moved). */
export const HAPROXY_FIELDS = ['frontendHost', 'frontendPort', 'statsPort', 'healthPath', 'holdTimeoutS', 'sharedFrontendHost', 'sharedFrontendPort', 'routeHost', 'routePathPrefix'] as const satisfies readonly (keyof Settings)[];

export const SETTINGS_REACTIONS: readonly { fields: readonly (keyof Settings)[]; reaction: Reaction }[] = [
  { fields: ['mode', 'minReplicas', 'maxReplicas', 'schedules'], reaction: 'range-or-mode' },
  { fields: ['sampleIntervalMs'], reaction: 'resample' },
  { fields: ['driver'], reaction: 'driver-note' },
  // Before the HAProxy reconfiguration: the new generation is known before the health check moves.
  { fields: SPEC_FIELDS, reaction: 'rollout' },
  { fields: HAPROXY_FIELDS, reaction: 'reconfigure-haproxy' },
  { fields: ['image', 'frontendPort', 'driver'], reaction: 'recheck' },
];

/** Fields whose value differs; `rules` by content, since every patch builds a new list. */
export function changedFields(before: Settings, next: Settings): (keyof Settings)[] {
  return (Object.keys(next) as (keyof Settings)[]).filter((key) => JSON.stringify(next[key]) !== JSON.stringify(before[key]));
}

/** The reactions a change calls for, each once, in the table's order. */
export function reactionsTo(changed: readonly (keyof Settings)[]): Reaction[] {
  return SETTINGS_REACTIONS.filter(({ fields }) => fields.some((field) => changed.includes(field))).map(({ reaction }) => reaction);
}
