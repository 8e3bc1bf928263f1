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

/**
 * A window that keeps firing while open (every minute for an hour) is followed this many fires ahead at most: its end
 * is then a lower bound, and the view is worked out again when it comes.
 */
const MAX_CHAINED_FIRES = 60;

interface Compiled {
  schedule: Schedule;
  cron: Cron;
  timezone: string;
  durationMs: number;
}

function compile(schedule: Schedule): Compiled {
  const timezone = schedule.timezone ?? machineTimeZone();
  // Paused: the pattern is only read for its fire times, never run.
  const cron = new Cron(schedule.cron, { timezone, paused: true });
  return { schedule, cron, timezone, durationMs: schedule.durationMin * 60_000 };
}

const fireAfter = (compiled: Compiled, at: number): number | null => compiled.cron.nextRun(new Date(at))?.getTime() ?? null;

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

/** The end of a window begun at `start`: a fire before it ends keeps it open for another duration. */
function endFrom(compiled: Compiled, start: number): number {
  let end = start + compiled.durationMs;
  let fire = start;
  for (let i = 0; i < MAX_CHAINED_FIRES; i++) {
    const next = fireAfter(compiled, fire);
    if (next === null || next > end) break;
    fire = next;
    end = next + compiled.durationMs;
  }
  return end;
}

/** The window of this schedule open at `at`, or null: a fire in (at - duration, at]. */
function openAt(compiled: Compiled, at: number): ScheduleWindow | null {
  const fire = fireAfter(compiled, at - compiled.durationMs);
  if (fire === null || fire > at) return null;
  return windowOf(compiled, fire, endFrom(compiled, fire));
}

export class ScheduleTimeline {
  private readonly compiled: Compiled[];
  private cached: { from: number; until: number; view: ScheduleView } | null = null;

  constructor(readonly schedules: readonly Schedule[]) {
    this.compiled = schedules.map(compile);
  }

  /** What is open at `at` and what opens next; cron is read again only once `at` passes a window's start or end. */
  at(at: number): ScheduleView {
    const cached = this.cached;
    if (cached && at >= cached.from && at < cached.until) return cached.view;
    const open = this.compiled.map((c) => openAt(c, at)).filter((w): w is ScheduleWindow => w !== null);
    const starts = this.compiled
      .map((c) => { const start = fireAfter(c, at); return start === null ? null : windowOf(c, start, start + c.durationMs); })
      .filter((w): w is ScheduleWindow => w !== null)
      .sort((a, b) => a.start - b.start);
    const next = starts[0] ?? null;
    const until = Math.min(...open.map((w) => w.end), next?.start ?? Number.POSITIVE_INFINITY);
    const view = { open, next };
    this.cached = { from: at, until, view };
    return view;
  }
}
