// Figure 6: main-thread time per live update of the dashboard in Chromium, with an hour of history in the charts.
// The hour is fed through the renderer's own path: the history request is answered with 3600 generated samples.
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import type { Sample } from '../../../electron/contract.js';
import { runsFor, type BenchContext } from '../bench-context.js';
import { analyzeLiveUpdates, TRACE_CATEGORIES, type Activity, type TraceEvent, type UpdateAnalysis } from '../chromium-trace.js';
import { benchPaths } from '../bench-paths.js';
import { CHROMIUM } from '../machine.js';
import { describeProfile, summarizeCpuProfile } from '../cpu-profile.js';
import { HeadlessShell } from '../headless-shell.js';
import { buildProfilingBundle, profilePage, serveBundle } from '../renderer-profile.js';
import { row, seconds, type FigureResult, type FigureRow } from '../summary.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const GOAL_MS = 16;
const HOUR_SAMPLES = 3600;

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

async function trace(cdp: CDPSession, durationMs: number, page: Page): Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  const onData = (data: { value: object[] }) => events.push(...(data.value as TraceEvent[]));
  cdp.on('Tracing.dataCollected', onData);
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: TRACE_CATEGORIES }, transferMode: 'ReportEvents' });
  await page.waitForTimeout(durationMs);
  await cdp.send('Tracing.end');
  await complete;
  cdp.off('Tracing.dataCollected', onData);
  return events;
}

function describeActivities(analysis: UpdateAnalysis): string {
  const total = Object.values(analysis.byActivity).reduce((sum, ms) => sum + ms, 0);
  if (total === 0) return 'no main-thread time recorded';
  return (Object.entries(analysis.byActivity) as [Activity, number][])
    .sort((a, b) => b[1] - a[1])
    .map(([activity, ms]) => `${activity} ${((ms / total) * 100).toFixed(0)} %`)
    .join(', ');
}

function updateRows(window: string, analysis: UpdateAnalysis, withGoal: boolean): FigureRow[] {
  const subject = `dashboard, ${window} window`;
  const total = row({
    figure: '6 dashboard',
    subject,
    measure: 'main-thread time per live update',
    unit: 'ms',
    values: analysis.updates.map((u) => u.totalMs),
  });
  total.note = `p95 ${total.spread ? total.spread.p95.toFixed(1) : 'n/a'} ms; ${describeActivities(analysis)}`;
  if (withGoal && total.spread) total.goal = { text: `p95 < ${GOAL_MS} ms`, met: total.spread.p95 < GOAL_MS };
  const cpu = row({ figure: '6 dashboard', subject, measure: 'main-thread CPU time per live update', unit: 'ms', values: analysis.updates.map((u) => u.cpuMs) });
  const longest = row({ figure: '6 dashboard', subject, measure: 'longest task per live update', unit: 'ms', values: analysis.updates.map((u) => u.longestTaskMs) });
  return [total, cpu, longest];
}

/** Opens the dashboard with an hour of history answered to its history request. */
async function openDashboard(browser: Browser, shell: HeadlessShell, prepare?: (page: Page) => Promise<void>): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await prepare?.(page);
  const history = hourOfHistory(Date.now());
  await page.route('**/api/history', (route) => route.fulfill({ json: history }));
  await page.goto(`${shell.origin}/?token=${shell.token}`);
  await page.locator('.cpu-chart svg path.recharts-curve').first().waitFor({ timeout: 30_000 });
  return page;
}

async function showWindow(page: Page, window: string): Promise<void> {
  await page.getByRole('button', { name: window, exact: true }).click();
  // Lets the switch's own re-render and its garbage settle, so only live updates are measured.
  await page.waitForTimeout(2500);
}

export async function dashboardFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const traceMs = runsFor(context, 20, 8) * 1000;
  const result: FigureResult = { id: 'dashboard', title: 'Dashboard cost', rows: [], findings: [], durationS: 0 };
  // The process driver: the figure is about the renderer, and a replica's kind does not change what it draws.
  const shell = await HeadlessShell.start({ app: context.app('dash'), settings: { driver: 'process', mode: 'manual', sampleIntervalMs: 1000 }, desired: 1 });
  let browser: Browser | undefined;
  try {
    await shell.waitForReplicas(1, 30_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await openDashboard(browser, shell);
    const cdp = await page.context().newCDPSession(page);
    for (const window of ['5 min', '1 h']) {
      await showWindow(page, window);
      context.log(`dashboard: tracing ${traceMs / 1000} s of live updates, ${window} window, ${HOUR_SAMPLES} samples of history`);
      const analysis = analyzeLiveUpdates(await trace(cdp, traceMs, page), shell.origin);
      // The dashboard redraws the 1 h window every 5 s (renderer/history-feed.ts), shorter ones every second.
      const redrawEveryS = window === '1 h' ? 5 : 1;
      if (analysis.updates.length < traceMs / 1000 / redrawEveryS / 2) {
        throw new Error(`Only ${analysis.updates.length} live updates in ${traceMs / 1000} s of trace: is the dashboard receiving samples?`);
      }
      result.rows.push(...updateRows(window, analysis, window === '1 h'));
    }
    await page.close();
    if (context.profile) {
      context.log('dashboard: profiling the live updates in an unminified build (1 h window)');
      const bundle = await buildProfilingBundle(benchPaths.repoRoot);
      try {
        const profiled = await openDashboard(browser, shell, (target) => serveBundle(target, bundle));
        await showWindow(profiled, '1 h');
        const profile = await profilePage(await profiled.context().newCDPSession(profiled), profiled, traceMs);
        result.findings.push(`JavaScript profile of the dashboard over ${traceMs / 1000} s of live updates, 1 h window: ${describeProfile(summarizeCpuProfile(profile, bundle.locate))}`);
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
