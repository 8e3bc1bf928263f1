// The schedule windows of the running service: one timeline per set of schedules in the settings, rebuilt only when
// they change, answering the range in force now and the words for "what is open, or what opens next".
import type { ScheduleWindowView } from '../../contract/contract.js';
import type { Schedule } from '../../contract/schedule-schema.js';
import type { Settings } from '../../contract/settings-schema.js';
import { effectiveRange, nextText, openText, type EffectiveRange } from './schedule-range.js';
import { ScheduleTimeline, type ScheduleView } from './schedule-timeline.js';

const RECENT_LIMIT = 64;

export class LiveSchedule {
  private timeline: ScheduleTimeline | null = null;
  private source: readonly Schedule[] | null = null;
  private key = '';
  /** Windows seen open (and read back from the event log), by name and start, in the order they opened. */
  private readonly seen = new Map<string, ScheduleWindowView>();
  private recorded: ScheduleView | null = null;

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
    if (view !== this.recorded) {
      this.recorded = view;
      for (const { name, start, end } of view.open) {
        // The live span replaces one read back for the same opening (the log has it from the first sample in it).
        for (const [key, seen] of this.seen) if (seen.name === name && seen.start < end && seen.end > start && seen.start !== start) this.seen.delete(key);
        // Set again while open: a window that keeps firing learns its later end.
        this.seen.set(`${name}@${start}`, { name, start, end });
      }
      this.trim();
    }
    return view;
  }

  /** Spans read back from the event log at start, for the chart to shade what came before. */
  remember(windows: readonly ScheduleWindowView[]): void {
    const live = [...this.seen.entries()];
    this.seen.clear();
    const overlapsLive = (w: ScheduleWindowView) => live.some(([, seen]) => seen.name === w.name && seen.start < w.end && seen.end > w.start);
    // A span read back for an opening already seen live is the same window: the live one, from cron, is kept.
    for (const { name, start, end } of windows) if (!overlapsLive({ name, start, end })) this.seen.set(`${name}@${start}`, { name, start, end });
    for (const [key, window] of live) this.seen.set(key, window);
    this.trim();
  }

  private trim(): void {
    while (this.seen.size > RECENT_LIMIT) this.seen.delete(this.seen.keys().next().value as string);
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
   * The windows of the past days and the one open now (at most RECENT_LIMIT, oldest first) and the next one, for the
   * chart to shade: recorded as the policy asks each sample, so drawing them never reads cron.
   */
  recentWindows(at: number): ScheduleWindowView[] {
    const { next } = this.view(at);
    return next ? [...this.seen.values(), { name: next.name, start: next.start, end: next.end }] : [...this.seen.values()];
  }
}
