// `npm run screenshot:services`: docs/services-overview.png, the services overview of three services under load, shot in
// Chromium at 1440×900. The services run as local processes behind one HAProxy in a temp folder; web and api get a
// bounded load from this script (127.0.0.1 only) and scale out on it, search a light one it stays at 2 under. search
// is picked, so the cockpit's replica table fits whole above the fold.
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { ServiceView } from '../electron/contract/contract.js';
import { benchPaths } from '../test/bench/bench-paths.js';
import { freePort, HeadlessShell, sleep, waitFor } from '../test/bench/headless-shell.js';
import { runLoad } from '../test/bench/load.js';
import { teardownAll } from '../test/bench/teardown.js';

const OUTPUT = path.join(benchPaths.repoRoot, 'docs', 'services-overview.png');
const CHROMIUM = process.env.SCALEDECK_CHROMIUM ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1440, height: 900 };
/** Long enough for a scale-out or two to show as steps in the rows' replica lines. */
const LOAD_S = 75;
/** How long the services idle before the load starts. */
const IDLE_S = 20;

/** Every service scales between 2 and 4, out quickly and not back in while the picture is taken. */
const SCALING = { mode: 'auto', minReplicas: 2, maxReplicas: 4, breachSamples: 2, scaleUpCooldownS: 5, scaleDownCooldownS: 600 } as const;

/** The page's scrolling boxes that scroll sideways: a cut-off table in the picture. */
function sidewaysScrollers(page: Page): Promise<string[]> {
  return page.$$eval('.table-scroll', (boxes) =>
    boxes.filter((box) => box.scrollWidth > box.clientWidth + 1).map((box) => box.closest('section')?.getAttribute('aria-labelledby') ?? 'a table'),
  );
}

async function main(): Promise<void> {
  const shell = await HeadlessShell.start({
    app: `shot${Math.random().toString(16).slice(2, 8)}`,
    settings: { driver: 'process', ...SCALING, scaleUpThreshold: 60, scaleDownThreshold: 20 },
    desired: 2,
  });
  const api = await shell.request<ServiceView>('POST', '/api/services', {
    name: 'api',
    frontendPort: await freePort(),
    ...SCALING,
    metric: 'rps-per-replica',
    scaleUpThreshold: 8,
    scaleDownThreshold: 2,
  });
  const search = await shell.request<ServiceView>('POST', '/api/services', {
    name: 'search',
    frontendPort: await freePort(),
    ...SCALING,
    scaleUpThreshold: 70,
    scaleDownThreshold: 10,
  });
  await waitFor(async () => {
    const services = await shell.request<ServiceView[]>('GET', '/api/services');
    return services.every((view) => view.replicas.filter((r) => r.state === 'ready').length === 2) ? true : null;
  }, 30_000, 'every service at 2 ready replicas');

  // Idle first, so each row's replica line starts flat; the page opens at the end and draws what was recorded.
  await sleep(IDLE_S * 1000);
  // web: 25 requests/s of 30 ms CPU, 0.75 CPU over replicas of 0.5 (a 3rd replica brings it under 60 %);
  // api: 28 requests/s of almost nothing, 14 a replica at 2 (a 4th brings it under 8); search: 0.15 CPU, 15 % a replica.
  const loads = [
    runLoad({ url: `${shell.frontend}work?ms=30`, rate: 25, durationS: LOAD_S + 30, connections: 8 }),
    runLoad({ url: api.frontendUrl, rate: 28, durationS: LOAD_S + 30, connections: 8 }),
    runLoad({ url: `${search.frontendUrl}work?ms=30`, rate: 5, durationS: LOAD_S + 30, connections: 4 }),
  ];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    await sleep(LOAD_S * 1000);
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${shell.origin}/?token=${shell.token}`);
    await page.getByRole('button', { name: 'search', exact: true }).click();
    await page.getByRole('button', { name: '1 min', exact: true }).click();
    await waitFor(
      async () => (await page.locator('.services-overview .spark-ready').evaluateAll((lines) => lines.every((line) => (line.getAttribute('d') ?? '').includes('H')))) || null,
      10_000,
      "every row's replica line drawn",
    );
    // A few live samples into the charts and figures.
    await sleep(5_000);
    const scrolling = await sidewaysScrollers(page);
    if (scrolling.length > 0) throw new Error(`These tables scroll sideways at ${VIEWPORT.width}×${VIEWPORT.height}: ${scrolling.join(', ')}`);
    await page.screenshot({ path: OUTPUT });
    const services = await shell.request<ServiceView[]>('GET', '/api/services');
    const counts = services.map((view) => `${view.name} ${view.replicas.filter((r) => r.state === 'ready').length}/${view.desired}`);
    console.log(`Wrote ${OUTPUT} (${counts.join(', ')})`);
  } finally {
    for (const load of loads) load.stop();
    await Promise.all(loads.map((load) => load.done));
    await browser.close();
    await shell.stop();
  }
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await teardownAll((line) => console.error(line));
  process.exitCode = 1;
});
