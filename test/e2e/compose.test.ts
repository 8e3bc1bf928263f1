// A Compose file from the dashboard, end to end: real Chromium on the headless shell, a real engine and HAProxy. A
// small file is uploaded and planned (one service scaled, a database left to Compose), applied, its service served
// and ready in the overview, the database shown read-only as missing with the command that starts it, and the project
// removed, by keyboard; axe-core finds nothing. The database is never started, so nothing is pulled.
import Dockerode from 'dockerode';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposeProjectView, ServiceView } from '../../electron/contract/contract.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { freePort, waitFor } from '../support/control-plane-fixture.js';
import { CHROMIUM, hasChromium, hasDocker, hasHaproxy } from '../support/requirements.js';
import { axeViolations } from './accessibility.js';
import { startDashboardShell, type DashboardShell } from './dashboard-shell.js';
import { focusedName, tabTo } from './keyboard.js';

const TOKEN = 'compose-e2e-token-0123';

function composeFile(project: string, port: number): string {
  return `name: ${project}
services:
  api:
    image: scaledeck/api:latest
    ports: ["127.0.0.1:${port}:8000"]
    depends_on: [db]
    x-scaledeck:
      healthPath: /healthz
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: example
    volumes: [data:/var/lib/postgresql/data]
volumes:
  data:
`;
}

describe.skipIf(!(hasChromium() && hasHaproxy() && hasDocker()))('a Compose file planned, applied and removed from the dashboard in Chromium', () => {
  const app = `e2ec${Math.random().toString(16).slice(2, 8)}`;
  const project = `sde2e${Math.random().toString(16).slice(2, 8)}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scaledeck-e2e-compose-'));
  let shell: DashboardShell | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let apiPort: number;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  const services = async (): Promise<ServiceView[]> => (await shell!.call<ServiceView[]>('GET', '/api/services')).json;
  const projects = async (): Promise<ComposeProjectView[]> => (await shell!.call<ComposeProjectView[]>('GET', '/api/compose')).json;
  const overview = (): Locator => page.getByRole('region', { name: /Services/ });
  const panel = (): Locator => page.getByRole('region', { name: 'Compose', exact: true });
  const rowOf = (name: string): Locator => overview().locator('tbody tr', { has: page.getByRole('button', { name, exact: true }) });
  const planRow = (name: string): Locator => panel().getByRole('table', { name: `Plan for ${project}` }).locator('tbody tr', { has: page.getByRole('rowheader', { name, exact: true }) });
  const cells = (row: Locator): Promise<string[]> => row.locator('th, td').allInnerTexts();

  beforeAll(async () => {
    apiPort = await freePort();
    const store = new SettingsStore(dataDir);
    store.update({ driver: 'docker', frontendPort: await freePort(), statsPort: await freePort(), mode: 'manual', minReplicas: 1, maxReplicas: 2 });
    store.setDesired(1);
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
    // Applying creates the project's network for Compose to use later; removing the project leaves it, so the test does.
    const docker = new Dockerode();
    const networks = await docker.listNetworks({ filters: { label: [`com.docker.compose.project=${project}`] } }).catch(() => []);
    for (const network of networks) await docker.getNetwork(network.Id).remove().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens the Compose panel from the overview by keyboard, and plans the uploaded file: api scaled, db left to Compose', async () => {
    await page.goto(shell!.dashboardUrl);
    await waitFor(async () => (await rowOf('web').count()) === 1, 30_000, 'the overview to show web');
    await page.locator('body').focus();
    await tabTo(page, 'Compose');
    await page.keyboard.press('Enter');
    await panel().waitFor();
    expect(await focusedName(page)).toBe('Compose file');

    await panel().getByLabel('Compose file').setInputFiles({ name: 'compose.yaml', mimeType: 'application/yaml', buffer: Buffer.from(composeFile(project, apiPort)) });
    await planRow('api').waitFor({ timeout: 15_000 });
    const api = await cells(planRow('api'));
    expect(api.slice(0, 6)).toEqual(['api', 'Scaled by ScaleDeck', 'scaledeck/api:latest', '8000', `127.0.0.1:${apiPort}`, 'Adds it']);
    const db = await cells(planRow('db'));
    expect(db.slice(0, 3)).toEqual(['db', 'Left to Compose', 'postgres:16']);
    expect(db[5]).toBe('Leaves it to Compose (missing)');
    expect(db[6]).toMatch(/volume/);
    expect(await panel().locator('.compose-plan code').innerText()).toBe(`docker compose -f compose.yaml -p ${project} up -d db`);
    // A plan starts nothing.
    expect((await services()).map((view) => view.name)).toEqual(['web']);
  });

  it('finds no accessibility violation with axe-core while a plan is shown', async () => {
    expect(await axeViolations(page)).toEqual([]);
  });

  it('applies the plan by keyboard: the scaled service is ready in the overview, named with its project, and served on its port', async () => {
    await tabTo(page, 'Apply plan');
    await page.keyboard.press('Enter');
    const name = `${project}.api`;
    await waitFor(async () => (await rowOf(name).count()) === 1, 30_000, `a row for ${name}`);
    await waitFor(async () => (await rowOf(name).locator('.replica-counts').innerText()) === '1 / 1', 90_000, `${name} at 1 / 1 in the overview`);
    expect(await rowOf(name).locator('.project-tag').innerText()).toBe(`from ${project}`);
    expect(await rowOf(name).getByRole('link').innerText()).toBe(`127.0.0.1:${apiPort}`);
    const response = await fetch(`http://127.0.0.1:${apiPort}/healthz`, { signal: AbortSignal.timeout(3000) });
    expect(response.status).toBe(200);
    expect((await services()).find((view) => view.name === name)?.project).toBe(project);
  });

  it('shows db read-only as missing, with the command that starts it, among the applied projects', async () => {
    const applied = panel().getByRole('article', { name: new RegExp(project) });
    const left = applied.getByRole('table', { name: `Services of ${project} left to Compose` });
    await waitFor(async () => (await left.count()) === 1, 10_000, 'the applied project in the panel');
    expect((await cells(left.locator('tbody tr'))).slice(0, 2)).toEqual(['db', 'missing']);
    expect(await left.getByRole('button').count()).toBe(0);
    expect(await applied.locator('code').innerText()).toBe(`docker compose -f compose.yaml -p ${project} up -d db`);
    expect((await projects()).map((view) => view.project)).toEqual([project]);
  });

  it('finds no accessibility violation with axe-core while an applied project is shown', async () => {
    expect(await axeViolations(page)).toEqual([]);
  });

  it('removes the project by keyboard, after its confirmation: its service, row and frontend go, web stays', async () => {
    await tabTo(page, `Remove project ${project}`);
    await page.keyboard.press('Enter');
    await waitFor(async () => (await focusedName(page)) === 'Cancel', 2_000, 'the confirmation to open with the focus on Cancel');
    await tabTo(page, `Remove ${project}`, { backwards: true, limit: 1 });
    await page.keyboard.press('Enter');
    await waitFor(async () => (await panel().getByText('No Compose project applied yet.').count()) === 1, 60_000, 'the project to leave the panel');
    await waitFor(async () => (await rowOf(`${project}.api`).count()) === 0, 10_000, `the row of ${project}.api to go`);
    expect((await services()).map((view) => view.name)).toEqual(['web']);
    expect(await projects()).toEqual([]);
    await waitFor(
      () => fetch(`http://127.0.0.1:${apiPort}/`, { signal: AbortSignal.timeout(3000) }).then(() => false, () => true),
      10_000,
      "the project's frontend to close",
    );
    expect(await focusedName(page)).toBe('Compose file');
  });

  it('raised no uncaught error and no console error', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
