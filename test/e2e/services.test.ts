// Several services from the dashboard, end to end: real Chromium on the headless shell, real replicas (local
// processes, to stay light) behind a real HAProxy, driven with the keyboard alone. A second service is added from the
// overview's form, loaded, picked, scaled from the cockpit and removed, while the first one stays as it was.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceView } from '../../electron/contract/contract.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { freePort, loadLine, runLoad, waitFor } from '../support/control-plane-fixture.js';
import { CHROMIUM, hasChromium, hasHaproxy } from '../support/requirements.js';
import { axeViolations } from './accessibility.js';
import { readyNames, tableRows } from './dashboard-page.js';
import { startDashboardShell, type DashboardShell } from './dashboard-shell.js';
import { focusedName, tabTo } from './keyboard.js';

const TOKEN = 'services-e2e-token-0123';
/** What Chromium logs for the refused add's answer (a 400 with the field in its body); any other console error fails. */
const REFUSED_ADD_LOG = 'Failed to load resource: the server responded with a status of 400 (Bad Request)';

describe.skipIf(!(hasChromium() && hasHaproxy()))('services from the dashboard in Chromium, on local processes behind HAProxy', () => {
  const app = `e2es${Math.random().toString(16).slice(2, 8)}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scaledeck-e2e-services-'));
  let shell: DashboardShell | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let webPort: number;
  let apiPort: number;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  const services = async (): Promise<ServiceView[]> => {
    const { status, json } = await shell!.call<ServiceView[]>('GET', '/api/services');
    expect(status).toBe(200);
    return json;
  };
  const serviceNamed = async (name: string): Promise<ServiceView | undefined> => (await services()).find((view) => view.name === name);
  const overview = (): Locator => page.getByRole('region', { name: /Services/ });
  const rowOf = (name: string): Locator => overview().locator('tbody tr', { has: page.getByRole('button', { name, exact: true }) });
  const cellText = (name: string, cell: string): Promise<string> => rowOf(name).locator(cell).innerText();
  /** The row's counts and state as a person reads them (its metric wanders by a point or two even when idle). */
  const counts = async (name: string): Promise<string> => `${await cellText(name, '.replica-counts')} ${await cellText(name, '.service-state')}`;
  const metricOf = async (name: string): Promise<number> => Number.parseFloat(await cellText(name, '.metric-now'));

  beforeAll(async () => {
    webPort = await freePort();
    const store = new SettingsStore(dataDir);
    store.update({ driver: 'process', frontendPort: webPort, statsPort: await freePort(), mode: 'manual', minReplicas: 1, maxReplicas: 4 });
    store.setDesired(2);
    shell = await startDashboardShell({ dataDir, app, token: TOKEN });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await shell?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens on the services overview: web, its frontend, its two ready replicas', async () => {
    await page.goto(shell!.dashboardUrl);
    await waitFor(async () => (await rowOf('web').count()) === 1 && (await cellText('web', '.replica-counts')) === '2 / 2', 30_000, 'web at 2 / 2 in the overview');
    expect(await overview().getByRole('button', { name: 'Add service' }).isVisible()).toBe(true);
    expect(await rowOf('web').getByRole('link').innerText()).toBe(`127.0.0.1:${webPort}`);
  });

  it('adds api from the Add service form by keyboard: a taken frontend port is refused at its field, a free one is added', async () => {
    apiPort = await freePort();
    await page.locator('body').focus();
    await tabTo(page, 'Add service');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Name');
    await page.keyboard.type('api');
    await tabTo(page, 'Frontend port');
    await page.keyboard.type(String(webPort));
    await page.keyboard.press('Enter');

    const port = page.getByRole('spinbutton', { name: 'Frontend port' });
    await waitFor(async () => (await port.getAttribute('aria-invalid')) === 'true', 10_000, 'the frontend port to be marked invalid');
    const alert = page.locator('.add-service-field', { has: port }).getByRole('alert');
    expect(await alert.innerText()).toContain(`127.0.0.1:${webPort} is the frontend of the service web`);
    expect(await focusedName(page)).toBe('Frontend port');
    expect(await serviceNamed('api')).toBeUndefined();

    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(String(apiPort));
    await page.keyboard.press('Enter');
    await waitFor(async () => (await rowOf('api').count()) === 1, 10_000, 'a row for api');
    expect(await page.getByRole('form', { name: 'Add a service' }).count()).toBe(0);
    // The form is gone; the keyboard is back where it opened it.
    expect(await focusedName(page)).toBe('Add service');
    expect((await serviceNamed('api'))?.frontendUrl).toBe(`http://127.0.0.1:${apiPort}/`);
  });

  it('shows both services with their frontend URLs, each served through HAProxy', async () => {
    await waitFor(async () => (await cellText('api', '.replica-counts')) === '1 / 1', 30_000, 'api at 1 / 1 in the overview');
    expect(await overview().locator('tbody tr').count()).toBe(2);
    for (const [name, port] of [['web', webPort], ['api', apiPort]] as const) {
      const link = rowOf(name).getByRole('link');
      expect(await link.innerText()).toBe(`127.0.0.1:${port}`);
      expect(await link.getAttribute('href')).toBe(`http://127.0.0.1:${port}/`);
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3000) });
      expect(response.status, `${name}'s frontend answers`).toBe(200);
    }
  });

  it("moves api's figures and replica line under a bounded load on its frontend, and leaves web's as they were", async () => {
    const webBefore = await counts('web');
    const apiBefore = await cellText('api', '.metric-now');
    // 10 requests/s of 20 ms CPU each: 40 % of api's 0.5 CPU limit, well under its 70 % scale-up threshold.
    const load = runLoad({ url: `http://127.0.0.1:${apiPort}/work?ms=20`, rate: 10, durationS: 12, connections: 4 });
    try {
      const loaded = await waitFor(async () => {
        const now = await cellText('api', '.metric-now');
        return Number.parseFloat(now) >= 15 ? now : null;
      }, 12_000, "api's replica CPU to read 15 % or more in its row");
      expect(loaded).not.toBe(apiBefore);
      expect(await rowOf('api').locator('.spark-ready').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+H/);
      expect(await counts('web')).toBe(webBefore);
      expect(await metricOf('web')).toBeLessThan(10);
    } finally {
      load.stop();
    }
    const report = await load.done;
    console.log(loadLine('services e2e: api under load from the test', report));
    expect(report.errors + report.non2xx).toBe(0);
  });

  it("picks api by keyboard and scales it out from the cockpit's +: the replica table shows api's replicas, web stays as it was", async () => {
    const webBefore = await serviceNamed('web');
    const webFigures = await cellText('web', '.replica-counts');
    // Adding api picked it; web first, so picking api is seen to change the cockpit. Tab from the top of the page.
    await page.locator('body').focus();
    await tabTo(page, 'web');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await tableRows(page)).length === 2 && (await tableRows(page)).every((row) => !row.name.includes('api')), 10_000, "web's replicas in the table");
    await tabTo(page, 'api');
    await page.keyboard.press('Enter');
    expect(await rowOf('api').getByRole('button', { name: 'api', exact: true }).getAttribute('aria-current')).toBe('true');
    await waitFor(async () => {
      const rows = await tableRows(page);
      return rows.length === 1 && rows[0]!.name.includes('api');
    }, 10_000, "api's one replica in the table");

    const desired = async () => Number(await page.getByTestId('desired-count').innerText());
    const from = await desired();
    const target = from + 2;
    await tabTo(page, 'Add a replica');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await desired()) === from + 1, 5_000, `the cockpit to ask for ${from + 1}`);
    await page.keyboard.press('Enter');
    const names = await waitFor(async () => {
      const rows = await tableRows(page);
      return rows.length === target && readyNames(rows).length === target ? readyNames(rows) : null;
    }, 30_000, `the replica table to show ${target} ready replicas of api`);
    for (const name of names) expect(name).toContain('api');
    await waitFor(async () => (await cellText('api', '.replica-counts')) === `${target} / ${target}`, 10_000, `api at ${target} / ${target} in the overview`);

    const api = await serviceNamed('api');
    expect(api?.desired).toBe(target);
    expect(api?.settings.mode).toBe('manual');
    const web = await serviceNamed('web');
    expect(web?.desired).toBe(webBefore?.desired);
    expect(web?.settings.mode).toBe('manual');
    expect(web?.replicas.map((r) => r.id).sort()).toEqual(webBefore?.replicas.map((r) => r.id).sort());
    expect(await cellText('web', '.replica-counts')).toBe(webFigures);
  });

  it('finds no accessibility violation with axe-core while the overview shows two services', async () => {
    expect(await overview().locator('tbody tr').count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('removes api by keyboard, from its Remove button and the confirmation: its row, replicas and frontend go', async () => {
    await tabTo(page, 'Remove service api', { backwards: true, limit: 120 });
    await page.keyboard.press('Enter');
    // The confirmation opens on Cancel; its Remove is one Shift+Tab away.
    await waitFor(async () => (await focusedName(page)) === 'Cancel', 2_000, 'the confirmation to open with the focus on Cancel');
    await tabTo(page, 'Remove api', { backwards: true, limit: 1 });
    await page.keyboard.press('Enter');
    await waitFor(async () => (await rowOf('api').count()) === 0, 30_000, 'the row of api to go');
    expect(await overview().locator('tbody tr').count()).toBe(1);
    // The cockpit is back on web, and so is the keyboard once the removal has answered (the row can go a moment
    // before, with the snapshot that no longer has api).
    await waitFor(async () => (await focusedName(page)) === 'web', 10_000, 'the focus on web once api is removed');
    await waitFor(async () => (await tableRows(page)).every((row) => !row.name.includes('api')), 10_000, "api's replicas to leave the table");
    expect((await services()).map((view) => view.name)).toEqual(['web']);
    await waitFor(
      () => fetch(`http://127.0.0.1:${apiPort}/`, { signal: AbortSignal.timeout(3000) }).then(() => false, () => true),
      10_000,
      "api's frontend to close",
    );
    expect(await cellText('web', '.replica-counts')).toBe('2 / 2');
  });

  it('raised no uncaught error, and no console error but the refused add', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([REFUSED_ADD_LOG]);
  });
});
