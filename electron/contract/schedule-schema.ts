// The schedule windows of a service: their schema and rules (a 5-field cron read by croner, an IANA time zone, a
// duration and the replica range the window raises). Part of the settings, so names are public API.
import './zod-setup.js';
import { Cron } from 'croner';
import { z } from 'zod';

export const MAX_SCHEDULES = 8;
/** A window lasts at most a week: the longest span a 5-field cron repeats over. */
export const MAX_WINDOW_MIN = 10080;

/** The machine's own zone, used when a window names none. */
export const machineTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Why `zone` is not an IANA time zone name, or undefined when it is one. */
export function timeZoneProblem(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return 'must be an IANA time zone name such as Europe/Berlin or UTC';
  }
}

/** Why `expression` is not a standard 5-field cron (minute hour day-of-month month day-of-week), or undefined. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `must be a 5-field cron (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5"; found ${fields.length} field(s)`;
  try {
    // Paused: the pattern is only read, never run.
    new Cron(expression, { paused: true });
    return undefined;
  } catch (error) {
    return `is not a valid cron: ${(error as Error).message.replace(/^CronPattern: /, '')}`;
  }
}

const replicas = z.number().int('must be a whole number').min(0, 'must be 0 or more').max(100, 'must be 100 or less');

export const ScheduleShape = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$/, 'must be 1 to 40 letters, digits, spaces, _ . - (starting with a letter or digit)'),
  cron: z.string().max(200).superRefine((value, ctx) => {
    const message = cronProblem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  }),
  durationMin: z.number().int('must be a whole number of minutes').min(1, 'must be at least 1 minute').max(MAX_WINDOW_MIN, `must be ${MAX_WINDOW_MIN} minutes (a week) or less`),
  minReplicas: replicas.optional(),
  maxReplicas: replicas.min(1, 'must be 1 or more').optional(),
  timezone: z.string().max(100).superRefine((value, ctx) => {
    const message = timeZoneProblem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  }).optional(),
});
export type Schedule = z.infer<typeof ScheduleShape>;

export const SchedulesShape = z.array(ScheduleShape).max(MAX_SCHEDULES, `must hold ${MAX_SCHEDULES} windows or fewer`);

/** The rules across windows and with the service's range; answers the field and what is wrong, or undefined. */
export function schedulesProblem(schedules: readonly Schedule[], standbyReplicas: number): { field: string; problem: string } | undefined {
  const seen = new Set<string>();
  for (const [i, schedule] of schedules.entries()) {
    if (seen.has(schedule.name)) return { field: `schedules.${i}.name`, problem: `must be unique ("${schedule.name}" is used twice)` };
    seen.add(schedule.name);
    const { minReplicas: min, maxReplicas: max } = schedule;
    if (min !== undefined && max !== undefined && min > max) return { field: `schedules.${i}.minReplicas`, problem: `must not exceed the window's maxReplicas (${max})` };
    if (min === undefined && max === undefined) return { field: `schedules.${i}.minReplicas`, problem: 'or maxReplicas must be set: a window without either changes nothing' };
    const top = Math.max(min ?? 0, max ?? 0);
    if (top + standbyReplicas > 100) return { field: `schedules.${i}.${max !== undefined && max >= (min ?? 0) ? 'maxReplicas' : 'minReplicas'}`, problem: `with standbyReplicas (${standbyReplicas}) must stay within 100 replicas` };
  }
  return undefined;
}
