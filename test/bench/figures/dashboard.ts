// Figure 6: main-thread cost of the dashboard's live updates in Chromium, in every time window, with an hour of
// history in the charts, ten replicas and load running. The hour is fed through the renderer's own path: the
// history request is answered with 3600 generated samples.
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import type { Sample, WhatIfResult } from '../../../electron/contract/contract.js';
import { runsFor, type BenchContext } from '../bench-context.js';
import { analyzeLiveUpdates, TRACE_CATEGORIES, type Activity, type TraceEvent, type UpdateAnalysis } from '../chromium-trace.js';
import { benchPaths } from '../bench-paths.js';
import { CHROMIUM } from '../machine.js';
import { describeProfile, summarizeCpuProfile } from '../cpu-profile.js';
import { ghostFollowMs } from '../ghost-follow.js';
import { HeadlessShell } from '../headless-shell.js';
import { buildProfilingBundle, profilePage, serveBundle } from '../renderer-profile.js';
import { row, seconds, type FigureResult, type FigureRow } from '../summary.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** The measure renderer/live-frame.ts records around each live frame (dist/renderer holds only the browser bundle). */
const LIVE_FRAME_MEASURE = 'scaledeck:live-frame';
const UPDATE_P95_GOAL_MS = 16;
const LONGEST_TASK_GOAL_MS = 50;
const BUSY_PER_SECOND_GOAL_MS = 16;
const HOUR_SAMPLES = 3600;
const REPLICAS = 10;
/**
 * The dashboard redraws the 1 h window every 5 s (renderer/history-feed.ts), shorter ones every second. The last run
 * holds a threshold slider, so the what-if ghost (a replay of the hour, 2000 points) is redrawn with every update.
 */
const WINDOWS = [
  { label: '1 min', redrawEveryS: 1, ghost: false },
  { label: '5 min', redrawEveryS: 1, ghost: false },
  { label: '15 min', redrawEveryS: 1, ghost: false },
  { label: '1 h', redrawEveryS: 5, ghost: false },
  { label: '1 h', redrawEveryS: 5, ghost: true },
] as const;
const GHOST_POINTS = 2000;
/** Live updates in each window's allocation pass. */
const ALLOCATION_UPDATES = 10;

/** A what-if answer as large as the server sends: the hour replayed in 2000 points. */
function hourOfReplay(now: number): WhatIfResult {
  const series = Array.from({ length: GHOST_POINTS }, (_, i) => {
    const replicas = 1 + (Math.floor(i / 300) % 5);
    return { at: now - 3_600_000 + i * (3_600_000 / GHOST_POINTS), desired: replicas, ready: replicas, metric: 50 + 30 * Math.sin(i / 40) };
  });
  const summary = { replicaSeconds: 9000, secondsAboveUp: 120, scaleEvents: 12, peakReplicas: 5 };
  return { series, summary, actual: { ...summary, replicaSeconds: 10_800, scaleEvents: 9 }, model: 'generated for the benchmark' };
}

/** Takes the scale-up slider and keeps it held a little off its value, until the ghost line is drawn. */
async function holdSliderForGhost(page: Page): Promise<void> {
  await page.route('**/api/whatif', (route) => route.fulfill({ json: hourOfReplay(Date.now()) }));
  const box = (await page.getByRole('slider', { name: 'Scale up above' }).boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 12, y, { steps: 4 });
  await page.getByTestId('whatif-ghost').and(page.locator('[d^="M"]')).waitFor({ state: 'attached', timeout: 10_000 });
}

/** An hour of plausible 1 s samples ending just before now, so live samples append to it. */
function hourOfHistory(now: number): Sample[] {
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

interface WindowRun {
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
async function measureWindow(cdp: CDPSession, page: Page, durationMs: number, origin: string): Promise<WindowRun> {
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
async function allocatedPerUpdate(cdp: CDPSession, page: Page, durationMs: number): Promise<number> {
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

function windowRows(window: string, run: WindowRun, allocatedBytes: number, ghost: boolean): FigureRow[] {
  const subject = `dashboard, ${window} window${ghost ? ', what-if ghost shown' : ''}`;
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
async function openDashboard(browser: Browser, shell: HeadlessShell, prepare?: (page: Page) => Promise<void>): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await prepare?.(page);
  const history = hourOfHistory(Date.now());
  await page.route('**/api/history', (route) => route.fulfill({ json: history }));
  await page.goto(`${shell.origin}/?token=${shell.token}`);
  await page.locator('.cpu-chart path.live-line.series-host[d^="M"]').waitFor({ state: 'attached', timeout: 30_000 });
  return page;
}

async function showWindow(page: Page, window: string): Promise<void> {
  await page.getByRole('button', { name: window, exact: true }).click();
  // Lets the switch's own re-render and its garbage settle, so only live updates are measured.
  await page.waitForTimeout(2500);
}

export async function dashboardFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const updatesPerWindow = runsFor(context, 60, 20);
  const result: FigureResult = { id: 'dashboard', title: 'Dashboard cost', rows: [], findings: [], durationS: 0 };
  // The process driver: the figure is about the renderer, and a replica's kind does not change what it draws.
  const shell = await HeadlessShell.start({
    app: context.app('dash'),
    settings: { driver: 'process', mode: 'manual', sampleIntervalMs: 1000, maxReplicas: REPLICAS },
    desired: REPLICAS,
  });
  let browser: Browser | undefined;
  try {
    await shell.waitForReplicas(REPLICAS, 60_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await openDashboard(browser, shell);
    await showWindow(page, '1 h');
    const follow = row({ figure: '6 dashboard', subject: 'dashboard, what-if ghost', measure: 'slider input to the ghost replayed for it (real whatIf, 1 h window)', unit: 'ms', values: await ghostFollowMs(page) });
    follow.note = `p95 ${follow.spread ? follow.spread.p95.toFixed(0) : 'n/a'} ms over ${follow.values.length} inputs a frame apart; the replayed record is what this run recorded`;
    result.rows.push(follow);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    for (const { label, redrawEveryS, ghost } of WINDOWS) {
      // One more update than needed: the last one can be cut by the end of the trace.
      const durationMs = (updatesPerWindow + 1) * redrawEveryS * 1000 + 1500;
      // Load through HAProxy from the app's own load panel, so the page shows live requests as a person's would. It
      // starts before the window's settling time: the page's answer to the start itself (the panel's new state, the
      // request axis stepping up from idle) is a person's action, not a live update.
      const loadS = Math.ceil((durationMs + ALLOCATION_UPDATES * redrawEveryS * 1000) / 1000) + 15;
      await shell.request('POST', '/api/load', { rate: 40, durationS: loadS, path: '/' });
      await showWindow(page, label);
      if (ghost) await holdSliderForGhost(page);
      context.log(`dashboard: ${label} window, ${durationMs / 1000} s of live updates, ${REPLICAS} replicas, load at 40 req/s, ${HOUR_SAMPLES} samples of history`);
      const run = await measureWindow(cdp, page, durationMs, shell.origin);
      const allocatedBytes = await allocatedPerUpdate(cdp, page, ALLOCATION_UPDATES * redrawEveryS * 1000);
      if (ghost) await page.mouse.up();
      await shell.request('DELETE', '/api/load');
      if (run.analysis.updates.length < updatesPerWindow) {
        throw new Error(`Only ${run.analysis.updates.length} live updates measured in the ${label} window (wanted ${updatesPerWindow}): is the dashboard receiving samples?`);
      }
      result.rows.push(...windowRows(label, run, allocatedBytes, ghost));
    }
    result.findings.push(
      'Each window is measured with the load already running: the re-render a load start causes (the load panel, the request axis ' +
        'stepping up from idle) happens once, before the trace, and is not a live update.',
    );
    result.findings.push(
      'The trace sees the page main thread only: rasterisation and compositing on other threads, the GPU process, and a HiDPI screen ' +
        '(four times the pixels to raster) are not measured; headless Chromium here has no GPU.',
    );
    await page.close();
    if (context.profile) {
      context.log('dashboard: profiling the live updates in an unminified build (1 h window)');
      const bundle = await buildProfilingBundle(benchPaths.repoRoot);
      try {
        const profiled = await openDashboard(browser, shell, (target) => serveBundle(target, bundle));
        await showWindow(profiled, '1 h');
        const durationMs = 30_000;
        const profile = await profilePage(await profiled.context().newCDPSession(profiled), profiled, durationMs);
        result.findings.push(`JavaScript profile of the dashboard over ${durationMs / 1000} s of live updates, 1 h window: ${describeProfile(summarizeCpuProfile(profile, bundle.locate))}`);
      } finally {
        bundle.remove();
      }
    }
  } finally {
    await browser?.close();
    await shell.stop();
  }
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}
