// Specification of when schedule windows are open: across midnight, on weekday sets, through daylight-saving changes
// in Europe/Berlin, and how overlapping windows combine into one range.
import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../../electron/contract/schedule-schema.js';
import { effectiveRange, nextText, openedText } from '../../../electron/core/schedule/schedule-range.js';
import { CronBudgetError, ScheduleTimeline } from '../../../electron/core/schedule/schedule-timeline.js';

const at = (iso: string): number => Date.parse(iso);
const openNames = (timeline: ScheduleTimeline, iso: string): string[] => timeline.at(at(iso)).open.map((w) => w.name);

describe('a window across midnight', () => {
  const night = new ScheduleTimeline([{ name: 'night', cron: '30 23 * * *', durationMin: 90, minReplicas: 2, timezone: 'UTC' }]);

  it('opens at the fire time and stays open into the next day for its duration', () => {
    expect(openNames(night, '2026-12-07T23:29:59Z')).toEqual([]);
    expect(openNames(night, '2026-12-07T23:30:00Z')).toEqual(['night']);
    expect(openNames(night, '2026-12-08T00:59:59Z')).toEqual(['night']);
    expect(openNames(night, '2026-12-08T01:00:00Z')).toEqual([]);
  });

  it('says when it ends in the window\'s clock', () => {
    const [window] = night.at(at('2026-12-08T00:10:00Z')).open;
    expect(window).toMatchObject({ start: at('2026-12-07T23:30:00Z'), end: at('2026-12-08T01:00:00Z') });
    expect(openedText(window!, at('2026-12-08T00:10:00Z'))).toBe('schedule "night" opened (min 2 until 01:00)');
  });
});

describe('a weekday set (1-5)', () => {
  const weekdays = new ScheduleTimeline([{ name: 'office', cron: '0 9 * * 1-5', durationMin: 480, minReplicas: 4, timezone: 'Europe/Berlin' }]);

  it('opens Monday to Friday at 09:00 Berlin time and not at the weekend', () => {
    // 2026-12-07 is a Monday; Berlin is UTC+1 in December.
    expect(openNames(weekdays, '2026-12-07T08:00:00Z')).toEqual(['office']);
    expect(openNames(weekdays, '2026-12-11T15:59:00Z')).toEqual(['office']);
    expect(openNames(weekdays, '2026-12-12T08:30:00Z')).toEqual([]);
    expect(openNames(weekdays, '2026-12-13T08:30:00Z')).toEqual([]);
  });

  it('names the next window, Monday\'s, from a Friday evening', () => {
    const view = weekdays.at(at('2026-12-11T18:00:00Z'));
    expect(view.open).toEqual([]);
    expect(view.next?.start).toBe(at('2026-12-14T08:00:00Z'));
    expect(nextText(view.next!, at('2026-12-11T18:00:00Z'))).toBe('next window "office" at Mon 09:00 (min 4 for 480 min)');
  });
});

describe('daylight-saving changes in Europe/Berlin', () => {
  it('fires a 02:30 window on the spring-forward day at 03:30 local, the first minute that exists after 02:00', () => {
    // 2026-03-29: 02:00 CET becomes 03:00 CEST, so 02:30 never happens that night.
    const timeline = new ScheduleTimeline([{ name: 'early', cron: '30 2 * * *', durationMin: 60, minReplicas: 3, timezone: 'Europe/Berlin' }]);
    const view = timeline.at(at('2026-03-29T01:45:00Z'));
    expect(view.open.map((w) => [w.name, w.start])).toEqual([['early', at('2026-03-29T01:30:00Z')]]);
    expect(view.open[0]!.end).toBe(at('2026-03-29T02:30:00Z'));
    // The day before and after, 02:30 local is an ordinary instant again.
    expect(timeline.at(at('2026-03-28T01:45:00Z')).open[0]?.start).toBe(at('2026-03-28T01:30:00Z'));
    expect(timeline.at(at('2026-03-30T00:45:00Z')).open[0]?.start).toBe(at('2026-03-30T00:30:00Z'));
  });

  it('keeps a window spanning the fall-back hour open for its real duration, and fires it once', () => {
    // 2026-10-25: 03:00 CEST becomes 02:00 CET, so local 02:00-03:00 happens twice. A 01:30 window of 120 minutes
    // lasts 120 real minutes: 23:30Z to 01:30Z, which is 02:30 CET on the clock.
    const timeline = new ScheduleTimeline([{ name: 'batch', cron: '30 1 * * *', durationMin: 120, minReplicas: 5, timezone: 'Europe/Berlin' }]);
    const [window] = timeline.at(at('2026-10-25T00:00:00Z')).open;
    expect([window?.start, window?.end]).toEqual([at('2026-10-24T23:30:00Z'), at('2026-10-25T01:30:00Z')]);
    // Fired once: the window after it is the next night's.
    expect(timeline.at(at('2026-10-25T01:30:00Z')).next?.start).toBe(at('2026-10-26T00:30:00Z'));
    expect(openNames(timeline, '2026-10-25T00:30:00Z')).toEqual(['batch']);
    expect(openNames(timeline, '2026-10-25T01:29:00Z')).toEqual(['batch']);
    expect(openNames(timeline, '2026-10-25T01:30:00Z')).toEqual([]);
    expect(openedText(window!, at('2026-10-25T00:00:00Z'))).toBe('schedule "batch" opened (min 5 until 02:30)');
  });
});

describe('a fire time inside the repeated fall-back hour', () => {
  it('fires once, not once per repetition of 02:30', () => {
    const timeline = new ScheduleTimeline([{ name: 'twice?', cron: '30 2 * * *', durationMin: 10, minReplicas: 2, timezone: 'Europe/Berlin' }]);
    const first = timeline.at(at('2026-10-24T12:00:00Z')).next;
    expect(first?.start).toBe(at('2026-10-25T01:30:00Z'));
    const closed = timeline.at(first!.end);
    expect(closed.open).toEqual([]);
    expect(closed.next?.start).toBe(at('2026-10-26T01:30:00Z'));
  });
});

describe('overlapping windows', () => {
  const schedules: Schedule[] = [
    { name: 'morning', cron: '0 8 * * *', durationMin: 240, minReplicas: 3, timezone: 'UTC' },
    { name: 'launch', cron: '0 10 * * *', durationMin: 60, minReplicas: 6, maxReplicas: 8, timezone: 'UTC' },
    { name: 'burst', cron: '0 10 * * *', durationMin: 60, maxReplicas: 30, timezone: 'UTC' },
  ];
  const timeline = new ScheduleTimeline(schedules);
  const settings = { minReplicas: 1, maxReplicas: 10 };

  it('are open together, and the highest min and the highest max win', () => {
    const view = timeline.at(at('2026-12-07T10:30:00Z'));
    expect(view.open.map((w) => w.name)).toEqual(['morning', 'launch', 'burst']);
    const range = effectiveRange(settings, view.open);
    expect(range).toMatchObject({ minReplicas: 6, maxReplicas: 30 });
    expect(range.minFrom?.name).toBe('launch');
    expect(range.maxFrom?.name).toBe('burst');
  });

  it('leave the range to the longer one when the shorter closes', () => {
    const range = effectiveRange(settings, timeline.at(at('2026-12-07T11:30:00Z')).open);
    expect(range).toMatchObject({ minReplicas: 3, maxReplicas: 10, minFrom: { name: 'morning' }, maxFrom: null });
  });

  it('never let a window\'s max sit under the range\'s min: a window that never lowers the range', () => {
    // A window's max under the settings' own max changes nothing, and a min above every max raises the max with it.
    const lowMax = effectiveRange(settings, [{ name: 'quiet', start: 0, end: 1, maxReplicas: 2, timezone: 'UTC' }]);
    expect(lowMax).toMatchObject({ minReplicas: 1, maxReplicas: 10, maxFrom: null });
    const bigMin = effectiveRange(settings, [{ name: 'sale', start: 0, end: 1, minReplicas: 12, timezone: 'UTC' }]);
    expect(bigMin).toMatchObject({ minReplicas: 12, maxReplicas: 12 });
  });

  it('keep a schedule that fires again before it closes open without a gap', () => {
    const every = new ScheduleTimeline([{ name: 'every-15', cron: '*/15 10-11 * * *', durationMin: 20, minReplicas: 2, timezone: 'UTC' }]);
    for (let minute = 0; minute < 120; minute++) {
      expect(every.at(at('2026-12-07T10:00:00Z') + minute * 60_000).open.map((w) => w.name)).toEqual(['every-15']);
    }
    expect(every.at(at('2026-12-07T09:59:00Z')).open).toEqual([]);
  });
});

describe('reading cron only at window edges', () => {
  it('stops a timeline that reads cron past its budget', () => {
    const busy = new ScheduleTimeline([{ name: 'every-minute', cron: '* * * * *', durationMin: 1, minReplicas: 2, timezone: 'UTC' }], 100);
    expect(() => {
      for (let minute = 0; minute < 200; minute++) busy.at(at('2026-12-07T10:00:30Z') + minute * 60_000);
    }).toThrow(CronBudgetError);
  });

  it('answers the same view between edges without asking again, and a new one past an edge', () => {
    const timeline = new ScheduleTimeline([{ name: 'noon', cron: '0 12 * * *', durationMin: 30, minReplicas: 2, timezone: 'UTC' }]);
    const first = timeline.at(at('2026-12-07T11:00:00Z'));
    expect(timeline.at(at('2026-12-07T11:59:59Z'))).toBe(first);
    const open = timeline.at(at('2026-12-07T12:00:00Z'));
    expect(open).not.toBe(first);
    expect(open.open.map((w) => w.name)).toEqual(['noon']);
    // Asking about an earlier instant is answered afresh, not from the cache.
    expect(timeline.at(at('2026-12-07T11:00:00Z')).open).toEqual([]);
  });
});
