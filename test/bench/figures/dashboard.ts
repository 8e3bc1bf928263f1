// Figure 6: main-thread cost of the dashboard's live updates in Chromium, in every time window, with an hour of
// history in the charts, ten replicas and load running. The hour is fed through the renderer's own path: the
// history request is answered with 3600 generated samples. Then the same with 5 services x 4 replicas (dashboard-services.ts).
import { chromium, type Browser, type Page } from 'playwright-core';
import type { WhatIfResult } from '../../../electron/contract/contract.js';
import { runsFor, type BenchContext } from '../bench-context.js';
import { benchPaths } from '../bench-paths.js';
import { CHROMIUM } from '../machine.js';
import { describeProfile, summarizeCpuProfile } from '../cpu-profile.js';
import { ALLOCATION_UPDATES, allocatedPerUpdate, CHROMIUM_ARGS, HOUR_SAMPLES, measureWindow, openDashboard, showWindow, windowRows } from '../dashboard-measure.js';
import { ghostFollowMs } from '../ghost-follow.js';
import { HeadlessShell } from '../headless-shell.js';
import { buildProfilingBundle, profilePage, serveBundle } from '../renderer-profile.js';
import { row, seconds, type FigureResult } from '../summary.js';
import { SERVICES_CASE, servicesDashboardRows } from './dashboard-services.js';

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
  context.log(`dashboard: ${SERVICES_CASE}`);
  const services = await servicesDashboardRows(context, updatesPerWindow);
  result.rows.push(...services.rows);
  result.findings.push(...services.findings);
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}
