// `npm run screenshot:compose`: docs/compose-plan.png, the Compose panel showing the plan of a small shop's
// compose.yaml, shot in Chromium at 1440×900. Compose files need the docker driver (web runs one container of the
// sample api); planning starts nothing of the file and pulls nothing.
import path from 'node:path';
import { chromium } from 'playwright-core';
import { benchPaths } from '../test/bench/bench-paths.js';
import { freePort, HeadlessShell } from '../test/bench/headless-shell.js';
import { teardownAll } from '../test/bench/teardown.js';

const OUTPUT = path.join(benchPaths.repoRoot, 'docs', 'compose-plan.png');
const CHROMIUM = process.env.SCALEDECK_CHROMIUM ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1440, height: 900 };

/** A shop as people write it: two HTTP services ScaleDeck scales, a database and a cache it leaves to Compose. */
function shopFile(storePort: number, adminPort: number): string {
  return `name: shop
services:
  storefront:
    image: scaledeck/api:latest
    ports: ["127.0.0.1:${storePort}:8000"]
    environment: { DB_URL: "postgres://db:5432/shop", CACHE_URL: "redis://cache:6379" }
    depends_on: [db, cache]
    x-scaledeck: { healthPath: /healthz, maxReplicas: 6 }
  admin:
    image: scaledeck/api:latest
    container_name: shop-admin
    ports: ["127.0.0.1:${adminPort}:8000"]
    depends_on: [db]
  db:
    image: postgres:16
    environment: { POSTGRES_PASSWORD: example }
    volumes: [pgdata:/var/lib/postgresql/data]
  cache:
    image: redis:7
volumes:
  pgdata:
`;
}

async function main(): Promise<void> {
  const shell = await HeadlessShell.start({
    app: `shot${Math.random().toString(16).slice(2, 8)}`,
    settings: { driver: 'docker', mode: 'manual', minReplicas: 1, maxReplicas: 2 },
    desired: 1,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${shell.origin}/?token=${shell.token}`);
    await page.getByRole('button', { name: 'Compose', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Compose', exact: true });
    const file = shopFile(await freePort(), await freePort());
    await panel.getByLabel('Compose file').setInputFiles({ name: 'compose.yaml', mimeType: 'application/yaml', buffer: Buffer.from(file) });
    await panel.getByRole('table', { name: 'Plan for shop' }).waitFor({ timeout: 15_000 });
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: OUTPUT });
    console.log(`Wrote ${OUTPUT}`);
  } finally {
    await browser.close();
    await shell.stop();
  }
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await teardownAll((line) => console.error(line));
  process.exitCode = 1;
});
