// Specification of the schedule windows read back from the event log, and of how the live windows join them.
import { describe, expect, it } from 'vitest';
import type { ControlEvent } from '../../../electron/contract/contract.js';
import { defaultSettings, type Settings } from '../../../electron/contract/settings-schema.js';
import { LiveSchedule } from '../../../electron/core/schedule/live-schedule.js';
import { windowsFromEvents } from '../../../electron/core/schedule/past-windows.js';

const at = (iso: string): number => Date.parse(iso);
const event = (iso: string, kind: ControlEvent['kind'], message: string): ControlEvent => ({ at: at(iso), kind, message });

describe('windows read back from the event log', () => {
  it('pairs each opening with its closing, from scale reasons and schedule events alike', () => {
    const events = [
      event('2026-12-07T09:00:01Z', 'scale', '2 -> 4: schedule "office" opened (min 4 until 17:00)'),
      event('2026-12-07T12:00:00Z', 'schedule', 'schedule "lunch" opened (max 20 until 13:00); 4 replicas within 4..20'),
      event('2026-12-07T13:00:00Z', 'schedule', 'schedule "lunch" closed (range back to 4..10); 4 replicas within 4..10'),
      event('2026-12-07T17:00:00Z', 'schedule', 'schedule "office" closed (range back to 1..10); 4 replicas within 1..10'),
      event('2026-12-07T17:00:05Z', 'hold', 'held 5 s: would scale out to 4: paused (schedule "office" opened (min 4 until 17:00))'),
    ];
    expect(windowsFromEvents(events)).toEqual([
      { name: 'lunch', start: at('2026-12-07T12:00:00Z'), end: at('2026-12-07T13:00:00Z') },
      { name: 'office', start: at('2026-12-07T09:00:01Z'), end: at('2026-12-07T17:00:00Z') },
    ]);
  });

  it('takes the first opening when a restart announced a window again, and leaves out one still open', () => {
    const events = [
      event('2026-12-07T09:00:00Z', 'scale', '1 -> 3: schedule "office" opened (min 3 until 17:00)'),
      event('2026-12-07T10:30:00Z', 'schedule', 'schedule "office" opened (min 3 until 17:00); 3 replicas within 3..10'),
      event('2026-12-07T17:00:00Z', 'scale', '3 -> 1: schedule "office" closed (range back to 1..1)'),
      event('2026-12-08T09:00:00Z', 'scale', '1 -> 3: schedule "office" opened (min 3 until 17:00)'),
    ];
    expect(windowsFromEvents(events)).toEqual([{ name: 'office', start: at('2026-12-07T09:00:00Z'), end: at('2026-12-07T17:00:00Z') }]);
  });
});

describe('the live schedule\'s windows for the chart', () => {
  const settings: Settings = { ...defaultSettings, schedules: [{ name: 'office', cron: '0 9 * * *', durationMin: 480, minReplicas: 3, timezone: 'UTC' }] };

  it('lists the windows read back, the one open now, and the next one, each once', () => {
    const live = new LiveSchedule(() => settings);
    live.remember([{ name: 'office', start: at('2026-12-06T09:00:02Z'), end: at('2026-12-06T17:00:00Z') }]);
    const now = at('2026-12-07T10:00:00Z');
    expect(live.recentWindows(now)).toEqual([
      { name: 'office', start: at('2026-12-06T09:00:02Z'), end: at('2026-12-06T17:00:00Z') },
      { name: 'office', start: at('2026-12-07T09:00:00Z'), end: at('2026-12-07T17:00:00Z') },
    ]);
    // Once it has closed, the next one joins the list.
    expect(live.recentWindows(at('2026-12-07T18:00:00Z')).map((w) => w.start)).toEqual([
      at('2026-12-06T09:00:02Z'), at('2026-12-07T09:00:00Z'), at('2026-12-08T09:00:00Z'),
    ]);
  });

  it('replaces a span read back for the same opening by the live one', () => {
    const live = new LiveSchedule(() => settings);
    const now = at('2026-12-07T10:00:00Z');
    live.view(now);
    live.remember([{ name: 'office', start: at('2026-12-07T09:00:03Z'), end: at('2026-12-07T09:30:00Z') }]);
    live.view(at('2026-12-07T17:00:00Z') - 1);
    expect(live.recentWindows(at('2026-12-07T16:00:00Z'))).toEqual([{ name: 'office', start: at('2026-12-07T09:00:00Z'), end: at('2026-12-07T17:00:00Z') }]);
  });
});
