// Figure 6's case with several services: 5 services x 4 process replicas live, the Services overview drawing every
// service's row and one cockpit (not the first service's) drawing its charts, measured against the one-service goals.
import { chromium, type Browser } from 'playwright-core';
import type { ServiceView } from '../../../electron/contract/contract.js';
import type { BenchContext } from '../bench-context.js';
import { ALLOCATION_UPDATES, allocatedPerUpdate, CHROMIUM_ARGS, HOUR_SAMPLES, measureWindow, openDashboard, showWindow, windowRows } from '../dashboard-measure.js';
import { freePort, HeadlessShell, waitFor } from '../headless-shell.js';
import { CHROMIUM } from '../machine.js';
import { notReadyYet } from '../service-readiness.js';
import { benchPaths } from '../bench-paths.js';
import { describeProfile, summarizeCpuProfile } from '../cpu-profile.js';
import { buildProfilingBundle, profilePage, serveBundle } from '../renderer-profile.js';
import type { FigureRow } from '../summary.js';

const SERVICES = ['web', 's2', 's3', 's4', 's5'];
const REPLICAS_EACH = 4;
/** The cockpit shown: a service added through the API, so the cockpit is not the first service's special case. */
const COCKPIT = 's3';
const SCOPE = ` (${SERVICES.length} services x ${REPLICAS_EACH} replicas, overview and ${COCKPIT}'s cockpit)`;
export const SERVICES_CASE = `${SERVICES.length} services x ${REPLICAS_EACH} process replicas, the overview and one cockpit`;
const WINDOWS = [
  { label: '1 min', redrawEveryS: 1 },
  { label: '1 h', redrawEveryS: 5 },
] as const;

/** Adds the services after the first through the API, each manual with exactly REPLICAS_EACH replicas on a frontend of its own. */
async function addServices(shell: HeadlessShell): Promise<void> {
  for (const name of SERVICES.slice(1)) {
    await shell.request('POST', '/api/services', {
      name, frontendPort: await freePort(), mode: 'manual', minReplicas: REPLICAS_EACH, maxReplicas: REPLICAS_EACH,
    });
    await shell.request('POST', `/api/services/${name}/scale`, { replicas: REPLICAS_EACH });
  }
  let waiting = 'no listing yet';
  await waitFor(async () => {
    waiting = notReadyYet(await shell.request<ServiceView[]>('GET', '/api/services'), SERVICES, REPLICAS_EACH) ?? '';
    return waiting === '' ? true : null;
  }, 300_000, () => `${SERVICES.length} services of ${REPLICAS_EACH} ready replicas (${waiting})`, 250);
}

/** Where the page's JavaScript time goes with every service live, in an unminified build (1 min window). */
async function profileServices(browser: Browser, shell: HeadlessShell): Promise<string> {
  const bundle = await buildProfilingBundle(benchPaths.repoRoot);
  try {
    const page = await openDashboard(browser, shell, (target) => serveBundle(target, bundle));
    await page.getByRole('button', { name: COCKPIT, exact: true }).click();
    await showWindow(page, '1 min');
    await shell.request('POST', `/api/services/${COCKPIT}/load`, { rate: 40, durationS: 45, path: '/' });
    const durationMs = 30_000;
    const profile = await profilePage(await page.context().newCDPSession(page), page, durationMs);
    await shell.request('DELETE', '/api/load');
    await page.close();
    return `JavaScript profile of the dashboard over ${durationMs / 1000} s with ${SERVICES_CASE}, 1 min window: ${describeProfile(summarizeCpuProfile(profile, bundle.locate))}`;
  } finally {
    bundle.remove();
  }
}

/** The rows of the several-services case; `updatesPerWindow` as in the one-service case. */
export async function servicesDashboardRows(context: BenchContext, updatesPerWindow: number): Promise<{ rows: FigureRow[]; findings: string[] }> {
  const rows: FigureRow[] = [];
  const findings: string[] = [];
  const shell = await HeadlessShell.start({
    app: context.app('dash-services'),
    settings: { driver: 'process', mode: 'manual', sampleIntervalMs: 1000, minReplicas: REPLICAS_EACH, maxReplicas: REPLICAS_EACH },
    desired: REPLICAS_EACH,
  });
  let browser: Browser | undefined;
  try {
    await addServices(shell);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await openDashboard(browser, shell);
    await page.getByRole('button', { name: COCKPIT, exact: true }).click();
    await page.locator('.cpu-chart path.live-line.series-host[d^="M"]').waitFor({ state: 'attached', timeout: 30_000 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    for (const { label, redrawEveryS } of WINDOWS) {
      const durationMs = (updatesPerWindow + 1) * redrawEveryS * 1000 + 1500;
      const loadS = Math.ceil((durationMs + ALLOCATION_UPDATES * redrawEveryS * 1000) / 1000) + 15;
      // The app runs one load at a time: it goes to the service whose cockpit is shown, as a person watching it would start it.
      await shell.request('POST', `/api/services/${COCKPIT}/load`, { rate: 40, durationS: loadS, path: '/' });
      await showWindow(page, label);
      context.log(`dashboard: ${SERVICES.length} services x ${REPLICAS_EACH} replicas, ${COCKPIT}'s cockpit, ${label} window, ${durationMs / 1000} s of live updates, load at 40 req/s, ${HOUR_SAMPLES} samples of history`);
      const run = await measureWindow(cdp, page, durationMs, shell.origin);
      const allocatedBytes = await allocatedPerUpdate(cdp, page, ALLOCATION_UPDATES * redrawEveryS * 1000);
      await shell.request('DELETE', '/api/load');
      if (run.analysis.updates.length < updatesPerWindow) {
        throw new Error(`Only ${run.analysis.updates.length} live updates measured in the ${label} window with ${SERVICES.length} services (wanted ${updatesPerWindow})`);
      }
      rows.push(...windowRows(label, run, allocatedBytes, false, SCOPE));
    }
    await page.close();
    if (context.profile) {
      context.log(`dashboard: profiling ${SERVICES_CASE} in an unminified build`);
      findings.push(await profileServices(browser, shell));
    }
  } finally {
    await browser?.close();
    await shell.stop();
  }
  return { rows, findings };
}
