// Reads a Chromium trace (CDP Tracing, devtools.timeline) of a page and measures its live updates on the main
// thread: each update is found by the page's own performance.measure around its drawing, and costs the task that
// drew it plus the tasks next to it without a frame of idle in between (the publish before, layout, paint, GC).

export interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread CPU time: the part of `dur` the thread actually ran, whatever else the machine was doing. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

export const TRACE_CATEGORIES = ['blink.user_timing', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8.execute', 'disabled-by-default-v8.gc', '__metadata'];

export interface UpdateCost {
  /** ms from the start of the trace. */
  atMs: number;
  /** The timer's own task: the render. */
  taskMs: number;
  /** The task plus what follows it without 16 ms of idle in between (the frame it causes, GC). */
  totalMs: number;
  longestTaskMs: number;
  /** The CPU time of that longest task: what the page itself spent, without waiting for a core. */
  longestTaskCpuMs: number;
  /** CPU time of the same tasks: on a busy machine, wall time also counts waiting for a core. */
  cpuMs: number;
  /** The page's own measure of its drawing (the script inside the update). */
  drawMs: number;
}

export type Activity = 'script' | 'style & layout' | 'paint' | 'gc' | 'other';

export interface UpdateAnalysis {
  updates: UpdateCost[];
  /** Where the updates' main-thread time went, in ms summed over all updates. */
  byActivity: Record<Activity, number>;
}

/** An idle gap this long ends an update: the main thread was free for a whole frame. */
const IDLE_GAP_US = 16_000;

const end = (event: TraceEvent): number => event.ts + (event.dur ?? 0);

function activityOf(name: string): Activity | null {
  if (/^(V8\.GC|MinorGC|MajorGC|BlinkGC|V8\.GC_)/.test(name) || name.includes('garbage')) return 'gc';
  if (['UpdateLayoutTree', 'Layout', 'RecalculateStyles', 'ParseAuthorStyleSheet'].includes(name)) return 'style & layout';
  if (['PrePaint', 'Paint', 'Layerize', 'UpdateLayer', 'PaintImage', 'Commit', 'UpdateLayerTree'].includes(name)) return 'paint';
  if (['FunctionCall', 'TimerFire', 'RunMicrotasks', 'EvaluateScript', 'FireAnimationFrame', 'EventDispatch', 'v8.callFunction', 'V8.Execute'].includes(name)) return 'script';
  return null;
}

/** The page's renderer main thread: the process the traced frame lives in, its CrRendererMain thread. */
function mainThread(events: TraceEvent[], pageUrl: string): { pid: number; tid: number } {
  let pid: number | undefined;
  for (const event of events) {
    if (event.name !== 'TracingStartedInBrowser') continue;
    const frames = (event.args?.data as { frames?: Array<{ processId: number; url: string }> } | undefined)?.frames ?? [];
    pid = frames.find((frame) => frame.url.startsWith(pageUrl))?.processId ?? pid;
  }
  const threads = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && (e.args as { name?: string } | undefined)?.name === 'CrRendererMain');
  const thread = threads.find((e) => e.pid === pid) ?? threads[0];
  if (!thread) throw new Error('The trace has no renderer main thread (CrRendererMain): was the page open while tracing?');
  return { pid: thread.pid, tid: thread.tid };
}

/** Self time of every complete event on one thread, charged to the nearest enclosing event with a known activity. */
function activityTimes(events: TraceEvent[], within: Array<[number, number]>): Record<Activity, number> {
  const totals: Record<Activity, number> = { script: 0, 'style & layout': 0, paint: 0, gc: 0, other: 0 };
  const inside = (e: TraceEvent) => within.some(([from, to]) => e.ts >= from && end(e) <= to);
  const sorted = events.filter((e) => e.ph === 'X' && inside(e)).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const stack: Array<{ event: TraceEvent; childUs: number; activity: Activity }> = [];
  const close = (until: number) => {
    while (stack.length > 0 && end((stack[stack.length - 1] as (typeof stack)[number]).event) <= until) {
      const done = stack.pop() as (typeof stack)[number];
      totals[done.activity] += Math.max(0, (done.event.dur ?? 0) - done.childUs) / 1000;
      const parent = stack[stack.length - 1];
      if (parent) parent.childUs += done.event.dur ?? 0;
    }
  };
  for (const event of sorted) {
    close(event.ts);
    const parent = stack[stack.length - 1];
    stack.push({ event, childUs: 0, activity: activityOf(event.name) ?? parent?.activity ?? 'other' });
  }
  close(Number.POSITIVE_INFINITY);
  return totals;
}

/** The page's measures named `name`: start and duration in trace microseconds (async begin/end pairs, or complete events). */
function measures(events: TraceEvent[], name: string): Array<{ ts: number; dur: number }> {
  const found: Array<{ ts: number; dur: number }> = [];
  const open = new Map<string, number>();
  const idOf = (event: TraceEvent) => String((event as { id?: unknown; id2?: unknown }).id ?? JSON.stringify((event as { id2?: unknown }).id2));
  for (const event of [...events].filter((e) => e.name === name).sort((a, b) => a.ts - b.ts)) {
    if (event.ph === 'X') found.push({ ts: event.ts, dur: event.dur ?? 0 });
    else if (event.ph === 'b') open.set(idOf(event), event.ts);
    else if (event.ph === 'e') {
      const start = open.get(idOf(event));
      if (start === undefined) continue;
      open.delete(idOf(event));
      found.push({ ts: start, dur: event.ts - start });
    }
  }
  return found;
}

/**
 * The updates in a trace: one per burst of main-thread work around a `measureName` measure the page recorded. Two
 * measures in one burst are one update: its cost is the burst's, counted once.
 */
export function analyzeLiveUpdates(events: TraceEvent[], pageUrl: string, measureName: string): UpdateAnalysis {
  const { pid, tid } = mainThread(events, pageUrl);
  const onMain = events.filter((e) => e.pid === pid && e.tid === tid);
  // A loop, not Math.max(...): a five-minute trace has more events than a call can take as arguments.
  let [traceStart, traceEnd] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const event of events) {
    if (event.ph !== 'X') continue;
    traceStart = Math.min(traceStart, event.ts);
    traceEnd = Math.max(traceEnd, end(event));
  }
  const tasks: TraceEvent[] = [];
  for (const task of onMain.filter((e) => e.ph === 'X' && e.name === 'RunTask').sort((a, b) => a.ts - b.ts)) {
    const last = tasks[tasks.length - 1];
    if (!last || task.ts >= end(last)) tasks.push(task);
  }
  const updates: UpdateCost[] = [];
  const windows: Array<[number, number]> = [];
  for (const measure of measures(events.filter((e) => e.pid === pid), measureName)) {
    // The last update may still be running when the trace ends: it would be cut short.
    if (measure.ts > traceEnd - 500_000) continue;
    const drawing = tasks.findIndex((task) => task.ts <= measure.ts && end(task) >= measure.ts + measure.dur);
    if (drawing < 0) continue;
    let first = drawing;
    while (first > 0 && (tasks[first] as TraceEvent).ts - end(tasks[first - 1] as TraceEvent) < IDLE_GAP_US) first -= 1;
    let last = drawing;
    while (last + 1 < tasks.length && (tasks[last + 1] as TraceEvent).ts - end(tasks[last] as TraceEvent) < IDLE_GAP_US) last += 1;
    const previous = windows[windows.length - 1];
    if (previous && previous[0] === (tasks[first] as TraceEvent).ts) {
      // A second frame in the same burst (a sample's frame, then the re-render it caused): one update, counted once.
      (updates[updates.length - 1] as UpdateCost).drawMs += measure.dur / 1000;
      continue;
    }
    const burst = tasks.slice(first, last + 1);
    const longestTask = burst.reduce((longest, task) => ((task.dur ?? 0) > (longest.dur ?? 0) ? task : longest));
    updates.push({
      atMs: (measure.ts - traceStart) / 1000,
      taskMs: ((tasks[drawing] as TraceEvent).dur ?? 0) / 1000,
      totalMs: burst.reduce((sum, task) => sum + (task.dur ?? 0), 0) / 1000,
      longestTaskMs: (longestTask.dur ?? 0) / 1000,
      longestTaskCpuMs: (longestTask.tdur ?? longestTask.dur ?? 0) / 1000,
      cpuMs: burst.reduce((sum, task) => sum + (task.tdur ?? task.dur ?? 0), 0) / 1000,
      drawMs: measure.dur / 1000,
    });
    windows.push([(tasks[first] as TraceEvent).ts, end(tasks[last] as TraceEvent)]);
  }
  return { updates, byActivity: activityTimes(onMain, windows) };
}
