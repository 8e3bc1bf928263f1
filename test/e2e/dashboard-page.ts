// What the dashboard end-to-end test reads off the page: drawn series, the replica table, threshold lines.
import type { Page } from 'playwright-core';
import { waitFor } from '../support/control-plane-fixture.js';

/** The live series path of a chart, as drawn: an SVG path with at least one line segment. */
export async function seriesPath(page: Page, chart: string, series: string): Promise<string> {
  return (await page.locator(`.${chart} path.live-line.series-${series}`).getAttribute('d')) ?? '';
}

export interface TableRow {
  name: string;
  state: string;
}

/** The replica table as the page shows it: one entry per replica row. */
export function tableRows(page: Page): Promise<TableRow[]> {
  return page.$$eval('.replica-table tbody tr', (rows) =>
    rows
      .filter((row) => row.querySelector('.badge') !== null)
      .map((row) => ({ name: row.querySelector('td')?.textContent?.trim() ?? '', state: row.querySelector('.badge')?.textContent?.trim() ?? '' })),
  );
}

export const readyNames = (rows: TableRow[]): string[] => rows.filter((row) => row.state === 'ready').map((row) => row.name);

/** Waits until the replica chart has caught up with the table (it is fed by samples, once a second). */
export async function chartMatchesTable(page: Page): Promise<void> {
  const legend = page.locator('.replica-chart .legend li', { hasText: 'Ready' }).locator('.legend-value');
  await waitFor(
    async () => (await legend.innerText()) === String(readyNames(await tableRows(page)).length),
    10_000,
    'the replica chart to show as many ready replicas as the table',
  );
}

export async function thresholdY(page: Page, which: 'up' | 'down'): Promise<number> {
  const line = page.locator(`.cpu-chart .threshold-${which} line`);
  // Playwright counts a horizontal SVG line (zero height) as hidden, so wait for it to exist, not to be visible.
  await line.waitFor({ state: 'attached' });
  return Number(await line.getAttribute('y1'));
}
