// When each schedule window is open: cron fire times (croner, in the window's zone) turned into [start, end) spans,
// asked again only when a span begins or ends, so neither a live tick nor a week's replay reads cron per sample.
import { Cron } from 'croner';
import { machineTimeZone, type Schedule } from '../../contract/schedule-schema.js';

/** One window of a schedule: open from `start` (a fire time) until `end`, epoch ms. */
export interface ScheduleWindow {
  name: string;
  start: number;
  end: number;
  minReplicas?: number;
  maxReplicas?: number;
  timezone: string;
}

export interface ScheduleView {
  /** Windows open at the instant asked, in the order of the settings. */
  open: ScheduleWindow[];
  /** The window that opens next after that instant, or null when no schedule fires again. */
  next: ScheduleWindow | null;
}

/** Thrown when a timeline has read cron more often than its budget allows (a replay over a long range). */
export class CronBudgetError extends Error {}

interface Compiled {
  schedule: Schedule;
  cron: Cron;
  timezone: string;
  durationMs: number;
}

/** One schedule's state, valid for instants in [from, until): its open window, else the next one to open. */
interface ScheduleState {
  from: number;
  until: number;
  open: ScheduleWindow | null;
  next: ScheduleWindow | null;
}

function compile(schedule: Schedule): Compiled {
  const timezone = schedule.timezone ?? machineTimeZone();
  // Paused: the pattern is only read for its fire times, never run.
  const cron = new Cron(schedule.cron, { timezone, paused: true });
  return { schedule, cron, timezone, durationMs: schedule.durationMin * 60_000 };
}

function windowOf(compiled: Compiled, start: number, end: number): ScheduleWindow {
  const { name, minReplicas, maxReplicas } = compiled.schedule;
  return {
    name,
    start,
    end,
    timezone: compiled.timezone,
    ...(minReplicas !== undefined ? { minReplicas } : {}),
    ...(maxReplicas !== undefined ? { maxReplicas } : {}),
  };
}

const MINUTE_MS = 60_000;

export class ScheduleTimeline {
  private readonly compiled: Compiled[];
  private readonly states: (ScheduleState | null)[];
  private cached: { from: number; until: number; view: ScheduleView } | null = null;
  private reads = 0;

  /** `maxCronReads` bounds the work of one timeline (a replay); past it, `at` throws CronBudgetError. */
  constructor(readonly schedules: readonly Schedule[], private readonly maxCronReads = Number.POSITIVE_INFINITY) {
    this.compiled = schedules.map(compile);
    this.states = schedules.map(() => null);
  }

  /** What is open at `at` and what opens next; cron is read again only once `at` passes a window's start or end. */
  at(at: number): ScheduleView {
    const cached = this.cached;
    if (cached && at >= cached.from && at < cached.until) return cached.view;
    const states = this.compiled.map((compiled, i) => {
      const state = this.states[i];
      if (state && at >= state.from && at < state.until) return state;
      const fresh = this.stateAt(compiled, at);
      this.states[i] = fresh;
      return fresh;
    });
    const open = states.flatMap((state) => (state.open ? [state.open] : []));
    const next = states.reduce<ScheduleWindow | null>((soonest, state) => (state.next && (!soonest || state.next.start < soonest.start) ? state.next : soonest), null);
    const view = { open, next };
    this.cached = { from: Math.max(...states.map((s) => s.from)), until: Math.min(...states.map((s) => s.until)), view };
    return view;
  }

  private fireAfter(compiled: Compiled, at: number): number | null {
    if (++this.reads > this.maxCronReads) throw new CronBudgetError(`the schedule windows change too often to follow here (more than ${this.maxCronReads} cron reads)`);
    return compiled.cron.nextRun(new Date(at))?.getTime() ?? null;
  }

  /**
   * A schedule at `at`: open when it fired in (at - duration, at]. The window lasts a duration past its latest fire;
   * that is the fire in this minute when there is one (cron fires at most once a minute), else the earliest in the
   * span, whose end is then a lower bound that a later reading extends. A closed schedule says when it opens next.
   */
  private stateAt(compiled: Compiled, at: number): ScheduleState {
    const earliest = this.fireAfter(compiled, at - compiled.durationMs);
    if (earliest !== null && earliest <= at) {
      const minuteStart = Math.floor(at / MINUTE_MS) * MINUTE_MS;
      const thisMinute = earliest >= minuteStart ? earliest : this.fireAfter(compiled, minuteStart - 1);
      const latest = thisMinute !== null && thisMinute <= at ? thisMinute : earliest;
      const window = windowOf(compiled, earliest, latest + compiled.durationMs);
      return { from: latest, until: window.end, open: window, next: null };
    }
    const start = this.fireAfter(compiled, at);
    const next = start === null ? null : windowOf(compiled, start, start + compiled.durationMs);
    return { from: at, until: next?.start ?? Number.POSITIVE_INFINITY, open: null, next };
  }
}
