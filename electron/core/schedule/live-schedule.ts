// The schedule windows of the running service: one timeline per set of schedules in the settings, rebuilt only when
// they change, answering the range in force now and the words for "what is open, or what opens next".
import type { Schedule } from '../../contract/schedule-schema.js';
import type { Settings } from '../../contract/settings-schema.js';
import { effectiveRange, nextText, openText, type EffectiveRange } from './schedule-range.js';
import { ScheduleTimeline, type ScheduleView, type ScheduleWindow } from './schedule-timeline.js';

const RECENT_LIMIT = 64;

export class LiveSchedule {
  private timeline: ScheduleTimeline | null = null;
  private source: readonly Schedule[] | null = null;
  private key = '';
  /** Windows seen open, by name and start, in the order they opened. */
  private readonly seen = new Map<string, ScheduleWindow>();

  constructor(private readonly settings: () => Settings) {}

  private current(): ScheduleTimeline {
    const { schedules } = this.settings();
    if (this.timeline === null || schedules !== this.source) {
      // A settings update copies the list; only different windows rebuild the timeline (and read cron again).
      const key = JSON.stringify(schedules);
      if (this.timeline === null || key !== this.key) this.timeline = new ScheduleTimeline(schedules);
      this.source = schedules;
      this.key = key;
    }
    return this.timeline;
  }

  /** What is open at `at` and what opens next; every open window is remembered for the chart. */
  view(at: number): ScheduleView {
    const view = this.current().at(at);
    // Set again while open: a window that keeps firing learns its later end.
    for (const window of view.open) this.seen.set(`${window.name}@${window.start}`, window);
    while (this.seen.size > RECENT_LIMIT) this.seen.delete(this.seen.keys().next().value as string);
    return view;
  }

  /** The replica range in force at `at`: the settings' own, raised by the open windows. */
  range(at: number): EffectiveRange {
    return effectiveRange(this.settings(), this.view(at).open);
  }

  /** `schedule "x" open (min 4 until 12:00)` for the open windows; when none is, `next window "x" at Mon 09:00 (...)`. */
  describe(at: number): { open: string | null; next: string | null } {
    const { open, next } = this.view(at);
    if (open.length > 0) return { open: open.map((w) => openText(w, at)).join('; '), next: null };
    return { open: null, next: next ? nextText(next, at) : null };
  }

  /**
   * The windows seen open since start (at most RECENT_LIMIT, oldest first) and the next one, for the chart to shade:
   * recorded as the policy asks each sample, so drawing them never reads cron.
   */
  recentWindows(at: number): ScheduleWindow[] {
    const { next } = this.view(at);
    return next ? [...this.seen.values(), next] : [...this.seen.values()];
  }
}
