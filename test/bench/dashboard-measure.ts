// What the dashboard figure measures a page with, for one service or several: an hour of generated history, a traced
// window of live updates, the bytes a live update allocates, and the rows each window reports.
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { Sample } from '../../electron/contract/contract.js';
import { analyzeLiveUpdates, TRACE_CATEGORIES, type Activity, type TraceEvent, type UpdateAnalysis } from './chromium-trace.js';
import type { HeadlessShell } from './headless-shell.js';
import { row, type FigureRow } from './summary.js';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** The measure renderer/live-frame.ts records around each live frame (dist/renderer holds only the browser bundle). */
const LIVE_FRAME_MEASURE = 'scaledeck:live-frame';
const UPDATE_P95_GOAL_MS = 16;
const LONGEST_TASK_GOAL_MS = 50;
const BUSY_PER_SECOND_GOAL_MS = 16;
export const HOUR_SAMPLES = 3600;
/** Live updates in each window's allocation pass. */
export const ALLOCATION_UPDATES = 10;
/** Any service's history, the one-service route or a named service's, with or without a range. */
const HISTORY_ROUTE = /\/api\/(services\/[^/?]+\/)?history(\?|$)/;

/** An hour of plausible 1 s samples ending just before now, so live samples append to it. */
export function hourOfHistory(now: number): Sample[] {
  return Array.from({ length: HOUR_SAMPLES }, (_, i) => {
    const replicas = 1 + (Math.floor(i / 400) % 4);
    return {
      at: now - (HOUR_SAMPLES - i) * 1000,
      hostCpu: 30 + 20 * Math.sin(i / 50),
      replicaCpu: 50 + 30 * Math.sin(i / 70),
      rps: 120 + 60 * Math.sin(i / 30),
      rpsPerReplica: (120 + 60 * Math.sin(i / 30)) / replicas,
      sessions: 3,
      queue: 0,
      http5xx: 0,
      responseTimeMs: 4,
      latencyP50Ms: 3,
      latencyP95Ms: 4,
      replicaMemory: 20,
      desired: replicas,
      ready: replicas,
      total: replicas,
    };
  });
}

export interface WindowRun {
  analysis: UpdateAnalysis;
  /** Main-thread task time per second of the run, from Chromium's own counter. */
  busyMsPerSecond: number;
}

async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const task = metrics.find((metric) => metric.name === 'TaskDuration');
  if (!task) throw new Error('Chromium reported no TaskDuration metric');
  return task.value;
}

function allocatedIn(node: { selfSize: number; children: unknown[] }): number {
  return node.selfSize + node.children.reduce<number>((sum, child) => sum + allocatedIn(child as typeof node), 0);
}

/** Traces the page and reads its task time over the same `durationMs`. */
export async function measureWindow(cdp: CDPSession, page: Page, durationMs: number, origin: string): Promise<WindowRun> {
  const events: TraceEvent[] = [];
  const onData = (data: { value: object[] }) => {
    for (const event of data.value as TraceEvent[]) events.push(event);
  };
  cdp.on('Tracing.dataCollected', onData);
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: TRACE_CATEGORIES }, transferMode: 'ReportEvents' });
  const [taskBefore, startedAt] = [await taskSeconds(cdp), Date.now()];
  await page.waitForTimeout(durationMs);
  const [taskAfter, endedAt] = [await taskSeconds(cdp), Date.now()];
  await cdp.send('Tracing.end');
  await complete;
  cdp.off('Tracing.dataCollected', onData);
  return {
    analysis: analyzeLiveUpdates(events, origin, LIVE_FRAME_MEASURE),
    busyMsPerSecond: ((taskAfter - taskBefore) * 1000) / ((endedAt - startedAt) / 1000),
  };
}

/**
 * Bytes the page allocates per live update, sampled in a pass of its own: V8's sampling heap profiler records a stack
 * every 16 KB, which costs the page time the timed pass must not count.
 */
export async function allocatedPerUpdate(cdp: CDPSession, page: Page, durationMs: number): Promise<number> {
  await page.evaluate((measure) => {
    const page = globalThis as unknown as { liveFrames: number; liveFrameCounter?: { disconnect(): void } };
    page.liveFrames = 0;
    const counter = new PerformanceObserver((list) => (page.liveFrames += list.getEntriesByName(measure).length));
    counter.observe({ entryTypes: ['measure'] });
    page.liveFrameCounter = counter;
  }, LIVE_FRAME_MEASURE);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  await page.waitForTimeout(durationMs);
  const { profile } = await cdp.send('HeapProfiler.stopSampling');
  await cdp.send('HeapProfiler.disable');
  const frames = await page.evaluate(() => {
    const page = globalThis as unknown as { liveFrames: number; liveFrameCounter?: { disconnect(): void } };
    page.liveFrameCounter?.disconnect();
    return page.liveFrames;
  });
  if (frames === 0) throw new Error('No live update during the allocation pass: is the dashboard receiving samples?');
  return allocatedIn(profile.head) / frames;
}

function describeActivities(analysis: UpdateAnalysis): string {
  const total = Object.values(analysis.byActivity).reduce((sum, ms) => sum + ms, 0);
  if (total === 0) return 'no main-thread time recorded';
  return (Object.entries(analysis.byActivity) as [Activity, number][])
    .sort((a, b) => b[1] - a[1])
    .map(([activity, ms]) => `${activity} ${((ms / total) * 100).toFixed(0)} %`)
    .join(', ');
}

/** `scope` names what the page shows beyond the one service, e.g. ' (5 services x 4 replicas, overview and cockpit)'. */
export function windowRows(window: string, run: WindowRun, allocatedBytes: number, ghost: boolean, scope = ''): FigureRow[] {
  const subject = `dashboard${scope}, ${window} window${ghost ? ', what-if ghost shown' : ''}`;
  const updates = run.analysis.updates;
  const base = { figure: '6 dashboard', subject };
  const cpu = row({ ...base, measure: 'main-thread CPU time per live update', unit: 'ms', values: updates.map((u) => u.cpuMs) });
  const p95 = cpu.spread?.p95 ?? Number.POSITIVE_INFINITY;
  cpu.note = `p95 ${p95.toFixed(1)} ms; ${describeActivities(run.analysis)}`;
  cpu.goal = { text: `p95 <= ${UPDATE_P95_GOAL_MS} ms`, met: p95 <= UPDATE_P95_GOAL_MS };
  const wall = row({ ...base, measure: 'main-thread time per live update (wall)', unit: 'ms', values: updates.map((u) => u.totalMs) });
  wall.note = `p95 ${wall.spread ? wall.spread.p95.toFixed(1) : 'n/a'} ms; counts waiting for a core on a busy machine`;
  const drawing = row({ ...base, measure: 'drawing per live update (performance.measure)', unit: 'ms', values: updates.map((u) => u.drawMs) });
  drawing.note = `p95 ${drawing.spread ? drawing.spread.p95.toFixed(2) : 'n/a'} ms`;
  const longest = row({ ...base, measure: 'longest task per live update', unit: 'ms', values: updates.map((u) => u.longestTaskMs) });
  const longestMs = longest.spread?.max ?? Number.POSITIVE_INFINITY;
  longest.goal = { text: `no task > ${LONGEST_TASK_GOAL_MS} ms`, met: longestMs <= LONGEST_TASK_GOAL_MS };
  longest.note = 'wall time: on a shared machine it also counts waiting for a core';
  const longestCpu = row({ ...base, measure: 'CPU time of the longest task per live update', unit: 'ms', values: updates.map((u) => u.longestTaskCpuMs) });
  const allocated = row({ ...base, measure: 'bytes allocated per live update', unit: 'KB', values: [allocatedBytes / 1024] });
  allocated.note = 'all the page allocated in a pass of its own (sampled every 16 KB) over the live frames in it: an upper bound';
  const busy = row({ ...base, measure: 'main-thread busy per second of live running', unit: 'ms', values: [run.busyMsPerSecond] });
  busy.note = 'Chromium TaskDuration over the whole run: updates, stream messages, the replica table clock';
  busy.goal = { text: `<= ${BUSY_PER_SECOND_GOAL_MS} ms/s`, met: run.busyMsPerSecond <= BUSY_PER_SECOND_GOAL_MS };
  return [cpu, wall, drawing, longest, longestCpu, allocated, busy];
}

/** Opens the dashboard with an hour of history answered to its history request. */
export async function openDashboard(browser: Browser, shell: HeadlessShell, prepare?: (page: Page) => Promise<void>): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await prepare?.(page);
  const history = hourOfHistory(Date.now());
  await page.route(HISTORY_ROUTE, (route) => route.fulfill({ json: history }));
  await page.goto(`${shell.origin}/?token=${shell.token}`);
  await page.locator('.cpu-chart path.live-line.series-host[d^="M"]').waitFor({ state: 'attached', timeout: 30_000 });
  return page;
}

export async function showWindow(page: Page, window: string): Promise<void> {
  await page.getByRole('button', { name: window, exact: true }).click();
  // Lets the switch's own re-render and its garbage settle, so only live updates are measured.
  await page.waitForTimeout(2500);
}
