// The dashboard end to end: real Chromium on `npm run serve`, real Docker replicas behind a real HAProxy, driven by
// mouse and clicks the way a person uses it.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../electron/contract/contract.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { freePort, removeLeftoverContainers, waitFor } from '../support/control-plane-fixture.js';
import { CHROMIUM, hasChromium, hasDocker, hasHaproxy } from '../support/requirements.js';
import { axeViolations } from './accessibility.js';
import { chartMatchesTable, readyNames, seriesPath, tableRows, thresholdY } from './dashboard-page.js';
import { startDashboardShell, type DashboardShell } from './dashboard-shell.js';
import { dragAndHold } from './slider-drag.js';

const TOKEN = 'dashboard-e2e-token';
const ARTIFACTS = path.resolve('test/e2e/artifacts');

describe.skipIf(!(hasChromium() && hasDocker() && hasHaproxy()))('the dashboard in Chromium over the headless shell, on Docker and HAProxy', () => {
  const app = `e2e${Math.random().toString(16).slice(2, 8)}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scaledeck-e2e-'));
  let shell: DashboardShell | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  const snapshot = async (): Promise<Snapshot> => {
    const { status, json } = await shell!.call<Snapshot>('GET', '/api/snapshot');
    expect(status).toBe(200);
    return json;
  };

  const screenshot = async (name: string) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
  };

  beforeAll(async () => {
    const store = new SettingsStore(dataDir);
    store.update({ driver: 'docker', frontendPort: await freePort(), statsPort: await freePort(), mode: 'manual', minReplicas: 1, maxReplicas: 6 });
    store.setDesired(1);
    shell = await startDashboardShell({ dataDir, app, token: TOKEN });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    // Injected by the browser driver, so the page's own CSP does not block the listener that watches it.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
    });
  });

  afterAll(async () => {
    await browser?.close();
    await shell?.stop();
    await removeLeftoverContainers(app);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens on one ready replica, with the Docker and HAProxy versions in the status bar', async () => {
    await page.goto(shell!.dashboardUrl);
    // A one-minute window, so the short history of this test fills the charts.
    await page.getByRole('button', { name: '1 min' }).click();
    expect(await page.getByRole('button', { name: '1 min' }).getAttribute('aria-pressed')).toBe('true');
    await waitFor(async () => {
      const rows = await tableRows(page);
      return rows.length === 1 && rows[0]!.state === 'ready';
    }, 90_000, 'the replica table to show 1 ready replica');
    const state = await snapshot();
    expect(state.docker.version).toMatch(/^\d+\.\d+/);
    expect(state.haproxy.version).toMatch(/^\d+\.\d+/);
    const docker = page.locator('.status-bar .status-item', { hasText: 'Docker' });
    const haproxy = page.locator('.status-bar .status-item', { hasText: 'HAProxy' });
    await waitFor(async () => (await docker.innerText()).includes(state.docker.version!), 10_000, 'the Docker version in the status bar');
    await waitFor(async () => (await haproxy.innerText()).includes(`running ${state.haproxy.version}`), 10_000, 'the HAProxy version in the status bar');
    // The token moves from the address bar into the tab's storage, so it is not left in the history.
    expect(page.url()).not.toContain('token=');
    await chartMatchesTable(page);
    await waitFor(async () => /^M[\d.]+,[\d.]+L/.test(await seriesPath(page, 'cpu-chart', 'host')), 10_000, 'the host CPU line to be drawn');
    expect(await seriesPath(page, 'replica-chart', 'ready')).toMatch(/^M[\d.]+,[\d.]+/);
    await screenshot('dashboard-1-ready.png');
  });

  it('loads without a console error, and axe-core finds no accessibility violation', async () => {
    expect(consoleErrors).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('reaches the controls and the event log with the keyboard, with a visible focus, and operates them', async () => {
    await page.locator('body').focus();
    const reached = new Set<string>();
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        if (!element || element === document.body) return null;
        const style = getComputedStyle(element);
        return { name: element.getAttribute('aria-label') ?? element.textContent?.trim() ?? '', outline: style.outlineStyle, outlineWidth: style.outlineWidth, tag: element.tagName };
      });
      if (!focused) continue;
      expect(focused.outline, `the focus on ${focused.tag} "${focused.name}" is visible`).not.toBe('none');
      reached.add(focused.name);
    }
    for (const name of ['1 h', 'Add a replica', 'Events, newest first']) expect([...reached], `${name} is reached by Tab`).toContain(name);
    await page.getByRole('button', { name: '1 h', exact: true }).focus();
    await page.keyboard.press('Enter');
    expect(await page.getByRole('button', { name: '1 h', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: '1 min', exact: true }).focus();
    await page.keyboard.press('Space');
    expect(await page.getByRole('button', { name: '1 min', exact: true }).getAttribute('aria-pressed')).toBe('true');
  });

  it('moves the scale-up line and the setting when the threshold slider is dragged with the mouse', async () => {
    const before = (await snapshot()).settings.rules[0]!.scaleUpThreshold;
    const yBefore = await thresholdY(page, 'up');
    const slider = page.getByRole('slider', { name: 'Scale up above' });
    const target = before > 50 ? before - 25 : before + 25;
    // After every input event, in the next animation frame: the slider's value and where the line is drawn.
    await page.evaluate(() => {
      const slider = [...document.querySelectorAll<HTMLInputElement>('input[type="range"]')].find((input) => input.labels?.[0]?.textContent === 'Scale up above');
      const frames: Array<{ value: number; y: number }> = [];
      (window as unknown as { thresholdFrames: typeof frames }).thresholdFrames = frames;
      slider?.addEventListener('input', () =>
        requestAnimationFrame(() => frames.push({ value: Number(slider.value), y: Number(document.querySelector('.cpu-chart .threshold-up line')?.getAttribute('y1')) })),
      );
    });
    await dragAndHold(page, slider, before, target);
    await page.mouse.up();

    const dragged = Number(await slider.inputValue());
    expect(Math.abs(dragged - target)).toBeLessThanOrEqual(3);
    const yAfter = await waitFor(async () => {
      const now = await thresholdY(page, 'up');
      return now !== yBefore ? now : null;
    }, 5_000, 'the scale-up line to move');
    // SVG y grows downwards: a lower threshold draws lower.
    expect(Math.sign(yAfter - yBefore)).toBe(dragged < before ? 1 : -1);
    const saved = await waitFor(async () => {
      const value = (await snapshot()).settings.rules[0]!.scaleUpThreshold;
      return value === dragged ? value : null;
    }, 5_000, `the snapshot's scaleUpThreshold to become ${dragged}`);
    expect(saved).not.toBe(before);
    expect(await thresholdY(page, 'up')).toBe(yAfter);
    const frames = await page.evaluate(() => (window as unknown as { thresholdFrames: Array<{ value: number; y: number }> }).thresholdFrames);
    expect(new Set(frames.map((frame) => frame.value)).size).toBeGreaterThan(3);
    // In every frame the line sat at the slider's value of that moment: one y per value, higher values drawn higher.
    const yOfValue = new Map<number, number>();
    for (const frame of frames) {
      expect(yOfValue.get(frame.value) ?? frame.y, `the line for ${frame.value}`).toBe(frame.y);
      yOfValue.set(frame.value, frame.y);
    }
    const byValue = [...yOfValue].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < byValue.length; i++) expect(byValue[i]![1]).toBeLessThan(byValue[i - 1]![1]);
  });

  it('adds two replicas with +, shows them ready, and they answer through the frontend', async () => {
    const add = page.getByRole('button', { name: 'Add a replica' });
    await add.click();
    await add.click();
    const names = await waitFor(async () => {
      const rows = await tableRows(page);
      return rows.length === 3 && readyNames(rows).length === 3 ? readyNames(rows) : null;
    }, 120_000, 'the replica table to show 3 ready replicas');
    expect(new Set(names).size).toBe(3);

    const state = await snapshot();
    expect(state.desired).toBe(3);
    expect(state.settings.mode).toBe('manual');
    const hosts = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const response = await fetch(state.haproxy.frontendUrl, { signal: AbortSignal.timeout(3000) });
      expect(response.status).toBe(200);
      hosts.add(((await response.json()) as { host: string }).host);
    }
    expect(hosts.size).toBe(3);
    // A container's hostname is the start of its id: each answer came from one of the three replicas in the table.
    const readyIds = state.replicas.filter((r) => r.state === 'ready').map((r) => r.id.slice(0, 12));
    expect([...hosts].sort()).toEqual(readyIds.sort());
    await chartMatchesTable(page);
    await screenshot('dashboard-3-three-replicas.png');
  });

  it('removes a replica from its table row: drained, gone from the table, desired 2', async () => {
    const victim = readyNames(await tableRows(page))[0]!;
    await page.getByRole('button', { name: `Remove ${victim}` }).click();
    await waitFor(async () => {
      const rows = await tableRows(page);
      return !rows.some((row) => row.name === victim) && readyNames(rows).length === 2;
    }, 90_000, `${victim} to leave the table`);
    await waitFor(
      async () => (await page.locator('.event-log').innerText()).includes(`Drained and stopped ${victim}`),
      10_000,
      `the event log to tell that ${victim} was drained`,
    );
    const state = await snapshot();
    expect(state.desired).toBe(2);
    expect(state.replicas.map((r) => r.name)).not.toContain(victim);
  });

  it('unfolds Spares and rollouts by keyboard and sets the rollout deadline, which the control plane saves', async () => {
    const summary = page.locator('.lifecycle-panel summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    const deadline = page.getByRole('spinbutton', { name: /Rollout deadline/ });
    await deadline.focus();
    await deadline.fill('90');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await snapshot()).settings.rolloutDeadlineS === 90, 10_000, 'the rollout deadline to be saved');
    await waitFor(async () => (await summary.innerText()).includes('deadline 90 s'), 5_000, 'the folded summary to show the new deadline');
    await summary.click();
  });

  it('resumes autoscaling from the mode switch', async () => {
    await page.getByRole('button', { name: 'Resume autoscaling' }).click();
    await waitFor(async () => (await snapshot()).settings.mode === 'auto', 10_000, 'the snapshot mode to become auto');
    // The page learns the new mode from the command's answer, which can land just after the snapshot shows it.
    await waitFor(() => page.getByRole('radio', { name: 'Auto' }).isChecked(), 5_000, 'the mode switch to show Auto');
    await waitFor(async () => (await page.getByRole('button', { name: 'Resume autoscaling' }).count()) === 0, 5_000, 'the manual banner to go');
  });

  it('scales out under load started from the load panel, and stops the load', async () => {
    const patch = { scaleUpThreshold: 40, scaleDownThreshold: 10, breachSamples: 2, scaleUpCooldownS: 2, maxReplicas: 4 };
    const { status } = await shell!.call('PATCH', '/api/settings', patch);
    expect(status).toBe(200);

    const panel = page.locator('.load-panel');
    await panel.getByRole('spinbutton', { name: /Rate/ }).fill('20');
    await panel.getByRole('spinbutton', { name: /Duration/ }).fill('40');
    const pathField = panel.getByRole('textbox', { name: 'Path' });
    // `/` costs the sample api nearly nothing; `/work?ms=50` burns 50 ms of CPU per request.
    expect(await pathField.inputValue()).toBe('/work?ms=50');
    const before = readyNames(await tableRows(page)).length;
    await panel.getByRole('button', { name: 'Start' }).click();
    await waitFor(async () => (await snapshot()).load.running, 5_000, 'the load to start');
    await waitFor(
      async () => (await page.locator('.event-log').innerText()).includes('/work?ms=50'),
      5_000,
      'the event log to show the load sent to /work?ms=50',
    );

    const peak = await waitFor(async () => {
      const ready = readyNames(await tableRows(page)).length;
      return ready > before ? ready : null;
    }, 30_000, `more than ${before} ready replicas in the table under load`);
    expect(peak).toBeGreaterThan(before);
    expect(peak).toBeLessThanOrEqual(4);
    const state = await snapshot();
    expect(state.load.sent).toBeGreaterThan(0);
    expect(state.events.some((event) => event.kind === 'scale' && /^\d+ -> \d+: replica CPU .* > 40/.test(event.message))).toBe(true);
    await chartMatchesTable(page);
    await screenshot('dashboard-6-under-load.png');

    await panel.getByRole('button', { name: 'Stop' }).click();
    await waitFor(async () => !(await snapshot()).load.running, 5_000, 'the load to stop');
    await waitFor(async () => (await panel.getByRole('status').innerText()) === 'idle', 5_000, 'the load panel to read idle');
  });

  it('draws the ghost line and its summary while a threshold is dragged, replaying the load run just recorded', async () => {
    // The window the load run fills, so the ghost spans the chart.
    await page.getByRole('button', { name: '1 min', exact: true }).click();
    const up = (await snapshot()).settings.rules[0]!.scaleUpThreshold;
    const slider = page.getByRole('slider', { name: 'Scale up above' });
    const ghost = page.getByTestId('whatif-ghost');
    const summary = page.getByTestId('whatif-summary');
    // The earlier threshold drag's ghost goes 10 s after its last change.
    await waitFor(async () => (await ghost.count()) === 0 && (await summary.count()) === 0, 15_000, 'the earlier ghost to go');
    await dragAndHold(page, slider, up, up - 25);
    const dragged = Number(await slider.inputValue());
    // The summary names the threshold it replayed: the ghost has caught up with the pointer.
    await waitFor(async () => (await summary.count()) > 0 && (await summary.innerText()).includes(`above ${dragged} %`), 5_000, `the summary for ${dragged} %`);
    expect(await summary.innerText()).toMatch(/^last 1 min with these settings: [+\u2212\u00b1]\d+ % replica-minutes, \d+ (s|min) above \d+ %/);
    expect(await ghost.getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+L/);
    expect(await ghost.getAttribute('stroke-dasharray')).toBeTruthy();
    await page.locator('.replica-chart').screenshot({ path: '/tmp/whatif-ghost.png' });
    await screenshot('dashboard-7-whatif-ghost.png');
    expect(await axeViolations(page)).toEqual([]);
    await page.mouse.up();
    // Put back as it was, so the rest of the run scales as configured.
    const { status } = await shell!.call('PATCH', '/api/settings', { scaleUpThreshold: up });
    expect(status).toBe(200);
  });

  it('draws the 6 h window from the history on disk, and the live window again after it', async () => {
    /** Where the host CPU line starts, in the path's tenths of a pixel; null while it is not drawn. */
    const lineStart = async () => {
      const match = /^M([\d.]+),[\d.]+L/.exec(await seriesPath(page, 'cpu-chart', 'host'));
      return match ? Number(match[1]) : null;
    };
    const liveStart = (await lineStart())!;
    await page.getByRole('button', { name: '6 h', exact: true }).click();
    // A few minutes of record in 6 h sit at the right edge; the long window draws only what getHistory read.
    const longStart = await waitFor(async () => {
      const start = await lineStart();
      return start !== null && start > liveStart + 1000 ? start : null;
    }, 10_000, 'the 6 h window to draw the recorded host CPU at its right edge');
    expect(longStart).toBeGreaterThan(liveStart);
    await page.getByRole('button', { name: '1 min', exact: true }).click();
    await waitFor(async () => {
      const start = await lineStart();
      return start !== null && start < longStart;
    }, 10_000, 'the 1 min window to draw the live host CPU across the chart');
  });

  it('stays free of accessibility violations with more replicas, scale events and load in the page', async () => {
    expect(await axeViolations(page)).toEqual([]);
  });

  it('raised no uncaught error, console error or CSP violation in the page', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
