// The event log's line for a settings change: each changed field as "name before -> after", rules in words.
import type { Schedule } from '../contract/schedule-schema.js';
import { RULE_FIELDS, type ScalingRule, type Settings } from '../contract/settings-schema.js';

const describeRules = (rules: readonly ScalingRule[]): string =>
  `[${rules.map((rule) => `${rule.metric} up ${rule.scaleUpThreshold} down ${rule.scaleDownThreshold} target ${rule.targetValue}`).join('; ')}]`;

const describeSchedules = (schedules: readonly Schedule[]): string =>
  `[${schedules.map((s) => [`"${s.name}" ${s.cron} for ${s.durationMin} min`, s.minReplicas !== undefined ? `min ${s.minReplicas}` : '', s.maxReplicas !== undefined ? `max ${s.maxReplicas}` : '', s.timezone ?? '']
    .filter(Boolean).join(', ')).join('; ')}]`;

const sameRules = (a: readonly ScalingRule[], b: readonly ScalingRule[]): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * "Settings changed: scaleUpThreshold 45 -> 40". A change of the first rule alone reads as its fields, as a person
 * sets them with the sliders; `rules` is named only when the rules beyond the first changed (or their number).
 */
export function describeSettingsChange(before: Settings, next: Settings, changed: readonly (keyof Settings)[]): string {
  const onlyFirstRule = sameRules(before.rules.slice(1), next.rules.slice(1));
  const value = (settings: Settings, key: keyof Settings): string =>
    (key === 'rules' ? describeRules(settings.rules) : key === 'schedules' ? describeSchedules(settings.schedules) : String(settings[key]));
  const parts = changed.flatMap((key) => {
    if (key !== 'rules' || !onlyFirstRule) return [`${key} ${value(before, key)} -> ${value(next, key)}`];
    const [was, now] = [before.rules[0] as ScalingRule, next.rules[0] as ScalingRule];
    return RULE_FIELDS.filter((field) => was[field] !== now[field]).map((field) => `${field} ${was[field]} -> ${now[field]}`);
  });
  return `Settings changed: ${parts.join(', ')}`;
}
