// Profiles the dashboard's JavaScript in Chromium against an unminified build with a source map, so the profile
// names the modules (recharts, react-dom, renderer/*.tsx) instead of the minified bundle's one-letter functions.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { nativeName, type CpuProfile, type FrameLocator } from './cpu-profile.js';

export interface ProfilingBundle {
  /** The unminified bundle, served in place of the built one. */
  script: Buffer;
  locate: FrameLocator;
  remove(): void;
}

/** Builds the renderer unminified with a source map into a temp folder (the project's vite config otherwise). */
export async function buildProfilingBundle(repoRoot: string): Promise<ProfilingBundle> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdb-renderer-'));
  try {
    await new Promise<void>((resolve, reject) => {
      execFile('npx', ['vite', 'build', '--outDir', dir, '--emptyOutDir', '--minify', 'false', '--sourcemap', '--logLevel', 'warn'], { cwd: repoRoot, timeout: 300_000 }, (error, _stdout, stderr) => {
        if (error) reject(new Error(`vite could not build the renderer for profiling: ${stderr.trim() || error.message}`));
        else resolve();
      });
    });
    const assets = path.join(dir, 'assets');
    const name = readdirSync(assets).find((file) => file.endsWith('.js'));
    if (!name) throw new Error(`vite wrote no script to ${assets}`);
    const map = new SourceMap(JSON.parse(readFileSync(path.join(assets, `${name}.map`), 'utf8')) as SourceMapPayload);
    const script = readFileSync(path.join(assets, name));
    return { script, locate: bundleLocator(map), remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Maps frames of the bundle to their original module: "recharts/es6/cartesian/Line.js" or "renderer/cpu-chart.tsx". */
function bundleLocator(map: SourceMap): FrameLocator {
  return (frame) => {
    if (frame.url === '') {
      const name = nativeName(frame);
      return { file: name, line: 0, pkg: name };
    }
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number };
    const source = entry.originalSource ?? frame.url;
    const modules = source.lastIndexOf('node_modules/');
    if (modules >= 0) {
      const file = source.slice(modules + 'node_modules/'.length);
      const parts = file.split('/');
      return { file, line: (entry.originalLine ?? 0) + 1, pkg: parts.slice(0, parts[0]?.startsWith('@') ? 2 : 1).join('/') };
    }
    const renderer = source.lastIndexOf('renderer/');
    const file = renderer >= 0 ? source.slice(renderer) : source.slice(source.lastIndexOf('electron/') >= 0 ? source.lastIndexOf('electron/') : 0);
    return { file, line: (entry.originalLine ?? 0) + 1, pkg: path.dirname(file) };
  };
}

/** Answers the page's request for its bundle with the unminified one (call before loading the page). */
export async function serveBundle(page: Page, bundle: ProfilingBundle): Promise<void> {
  await page.route('**/assets/*.js', (route) => route.fulfill({ body: bundle.script, contentType: 'text/javascript; charset=utf-8' }));
}

/** Samples the page's JavaScript for `durationMs` at 0.2 ms intervals. */
export async function profilePage(cdp: CDPSession, page: Page, durationMs: number): Promise<CpuProfile> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.waitForTimeout(durationMs);
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.send('Profiler.disable');
  return profile as unknown as CpuProfile;
}
