// The replica range while schedule windows are open, and the words that name a window in reasons and events.
import type { Settings } from '../../contract/settings-schema.js';
import type { ScheduleWindow } from './schedule-timeline.js';

export interface EffectiveRange {
  minReplicas: number;
  maxReplicas: number;
  /** The open window that set the min (the first of the highest), or null when it is the settings' own. */
  minFrom: ScheduleWindow | null;
  /** The open window that set the max, or null when it is the settings' own (or the min pushed it up). */
  maxFrom: ScheduleWindow | null;
}

/**
 * Windows only raise the range: the min is the highest of the settings' own and the open windows' minReplicas, the
 * max the highest of the settings' own and the open windows' maxReplicas, and never under that min (a window that
 * asks for 12 replicas gets them even where the settings' max is 10). Within it the rules' recommendation applies.
 */
export function effectiveRange(settings: Pick<Settings, 'minReplicas' | 'maxReplicas'>, open: readonly ScheduleWindow[]): EffectiveRange {
  let range: EffectiveRange = { minReplicas: settings.minReplicas, maxReplicas: settings.maxReplicas, minFrom: null, maxFrom: null };
  for (const window of open) {
    if (window.minReplicas !== undefined && window.minReplicas > range.minReplicas) range = { ...range, minReplicas: window.minReplicas, minFrom: window };
    if (window.maxReplicas !== undefined && window.maxReplicas > range.maxReplicas) range = { ...range, maxReplicas: window.maxReplicas, maxFrom: window };
  }
  if (range.maxReplicas < range.minReplicas) range = { ...range, maxReplicas: range.minReplicas, maxFrom: range.minFrom };
  return range;
}

const DAY_MS = 86_400_000;

/** "12:00" in the window's zone, or "Tue 12:00" when more than a day away from `now`. */
export function clockTime(at: number, timezone: string, now: number): string {
  const options: Intl.DateTimeFormatOptions = { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  if (Math.abs(at - now) >= DAY_MS) options.weekday = 'short';
  return new Intl.DateTimeFormat('en-GB', options).format(new Date(at)).replace(',', '');
}

/** "min 4, max 12" for what a window sets. */
export function windowBounds(window: ScheduleWindow): string {
  return [
    window.minReplicas !== undefined ? `min ${window.minReplicas}` : '',
    window.maxReplicas !== undefined ? `max ${window.maxReplicas}` : '',
  ].filter(Boolean).join(', ');
}

/** `schedule "weekday-morning" opened (min 4 until 12:00)`. */
export const openedText = (window: ScheduleWindow, now: number): string =>
  `schedule "${window.name}" opened (${windowBounds(window)} until ${clockTime(window.end, window.timezone, now)})`;

/** `schedule "weekday-morning" open (min 4 until 12:00)`: a window that was already open. */
export const openText = (window: ScheduleWindow, now: number): string =>
  `schedule "${window.name}" open (${windowBounds(window)} until ${clockTime(window.end, window.timezone, now)})`;

/** `schedule "weekday-morning" closed (range back to 1..10)`. */
export const closedText = (name: string, range: Pick<EffectiveRange, 'minReplicas' | 'maxReplicas'>): string =>
  `schedule "${name}" closed (range back to ${range.minReplicas}..${range.maxReplicas})`;

/** `next window "weekday-morning" at Mon 09:00 (min 4 for 180 min)`. */
export const nextText = (window: ScheduleWindow, now: number): string =>
  `next window "${window.name}" at ${clockTime(window.start, window.timezone, now)} (${windowBounds(window)} for ${Math.round((window.end - window.start) / 60_000)} min)`;
