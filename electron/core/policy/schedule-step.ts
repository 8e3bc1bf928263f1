// What the open schedule windows do to one decision: the range the rules work within, which windows opened or closed
// since the last sample, and the words for a count the range moves.
import type { Settings } from '../../contract/settings-schema.js';
import { closedText, effectiveRange, openText, openedText, type EffectiveRange } from '../schedule/schedule-range.js';
import type { ScheduleWindow } from '../schedule/schedule-timeline.js';

export interface ScheduleStep {
  /** The settings with the range the open windows make. */
  settings: Settings;
  range: EffectiveRange;
  opened: ScheduleWindow[];
  /** Names of windows open at the last sample and closed now. */
  closed: string[];
  /** The names open now: the policy state's memory for the next sample. */
  openNames: string[];
}

export function scheduleStep(settings: Settings, open: readonly ScheduleWindow[], wasOpen: readonly string[]): ScheduleStep {
  const range = effectiveRange(settings, open);
  const ranged = range.minReplicas === settings.minReplicas && range.maxReplicas === settings.maxReplicas
    ? settings
    : { ...settings, minReplicas: range.minReplicas, maxReplicas: range.maxReplicas };
  const before = new Set(wasOpen);
  const openNames = open.map((w) => w.name);
  return {
    settings: ranged,
    range,
    opened: open.filter((w) => !before.has(w.name)),
    closed: wasOpen.filter((name) => !openNames.includes(name)),
    openNames,
  };
}

/** Why the range moves the count from `current` to `bounded`: the window (or the setting, or the close) behind it. */
export function boundWhy(step: ScheduleStep, current: number, bounded: number, now: number): string {
  const { range, opened, closed } = step;
  if (bounded > current) {
    const window = range.minFrom;
    if (!window) return `minReplicas is ${range.minReplicas}`;
    return opened.includes(window) ? openedText(window, now) : openText(window, now);
  }
  if (range.maxFrom) return openText(range.maxFrom, now);
  const [name] = closed;
  return name === undefined ? `maxReplicas is ${range.maxReplicas}` : closedText(name, range);
}

/**
 * Event lines for windows that opened or closed at this sample and are not already the reason of a change, each
 * ending with what became of the count (`outcome`, e.g. "3 replicas already within it").
 */
export function scheduleNotes(step: ScheduleStep, reason: string | null, outcome: string, now: number): string[] {
  const lines = [
    ...step.opened.map((w) => ({ name: w.name, line: openedText(w, now) })),
    ...step.closed.map((name) => ({ name, line: closedText(name, step.range) })),
  ];
  return lines.filter(({ name }) => !reason?.includes(`schedule "${name}"`)).map(({ line }) => `${line}; ${outcome}`);
}
