// Renders build/icons/*.svg to the PNG sizes electron-builder packages (Linux icon theme sizes, macOS and Windows from 1024).
// Run after editing the SVGs: node build/render-icons.mjs (needs Chromium; set SCALEDECK_CHROMIUM to its path).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ICONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'icons');
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
// Below this size the detailed drawing turns to mush: the small variant has fewer, bolder shapes and no margin.
const SMALL_BELOW = 64;

const browser = await chromium.launch({ executablePath: process.env.SCALEDECK_CHROMIUM ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage();
  for (const size of SIZES) {
    const source = size < SMALL_BELOW ? 'scaledeck-small.svg' : 'scaledeck.svg';
    const svg = await readFile(join(ICONS_DIR, source), 'utf8');
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(
      `<html><body style="margin:0;background:transparent"><img style="display:block;width:${size}px;height:${size}px" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}"></body></html>`,
    );
    await page.locator('img').evaluate((image) => image.decode());
    await page.screenshot({ path: join(ICONS_DIR, `${size}x${size}.png`), omitBackground: true });
  }
} finally {
  await browser.close();
}
