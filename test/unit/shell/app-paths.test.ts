import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { desktopDataDir, repoRootFrom, resolveAppPaths } from '../../../electron/shells/common/app-paths.js';

describe('resolveAppPaths', () => {
  it('reads everything from the repository in development', () => {
    expect(resolveAppPaths({ appRoot: '/repo', packaged: false })).toEqual({
      rendererDir: '/repo/dist/renderer',
      rendererIndex: '/repo/dist/renderer/index.html',
      preload: '/repo/dist/electron/shells/desktop/preload.cjs',
      apiDockerfile: '/repo/api/Dockerfile',
      apiServerJs: '/repo/dist/api/server.js',
    });
  });

  it('reads the renderer and preload from app.asar, and the api image context from the resources folder', () => {
    const paths = resolveAppPaths({ appRoot: '/opt/ScaleDeck/resources/app.asar', packaged: true, resourcesPath: '/opt/ScaleDeck/resources' });
    expect(paths).toEqual({
      rendererDir: '/opt/ScaleDeck/resources/app.asar/dist/renderer',
      rendererIndex: '/opt/ScaleDeck/resources/app.asar/dist/renderer/index.html',
      preload: '/opt/ScaleDeck/resources/app.asar/dist/electron/shells/desktop/preload.cjs',
      apiDockerfile: '/opt/ScaleDeck/resources/api/Dockerfile',
      apiServerJs: '/opt/ScaleDeck/resources/api/server.js',
    });
    expect(paths.apiDockerfile).not.toContain('app.asar');
    expect(paths.apiServerJs).not.toContain('app.asar');
  });

  it('refuses a packaged layout without a resources path, saying what is missing', () => {
    expect(() => resolveAppPaths({ appRoot: '/opt/ScaleDeck/resources/app.asar', packaged: true })).toThrow(/resourcesPath/);
  });
});

describe('repoRootFrom', () => {
  const root = mkdtempSync(join(tmpdir(), 'scaledeck-root-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds the repository root from the built main process and from sources', () => {
    writeFileSync(join(root, 'package.json'), '{}');
    mkdirSync(join(root, 'dist', 'electron'), { recursive: true });
    expect(repoRootFrom(pathToFileURL(join(root, 'dist', 'electron', 'shells', 'desktop', 'main.js')).href)).toBe(root);
    expect(repoRootFrom(pathToFileURL(join(root, 'electron', 'main.ts')).href)).toBe(root);
  });

  it('finds this repository from this test', () => {
    expect(repoRootFrom(import.meta.url)).toBe(join(import.meta.dirname, '..', '..', '..'));
  });
});

describe('desktopDataDir', () => {
  it('uses SCALEDECK_DATA_DIR when set, made absolute, as the headless shell does', () => {
    expect(desktopDataDir({ SCALEDECK_DATA_DIR: '/srv/scaledeck' }, '/home/me/.config/ScaleDeck')).toBe('/srv/scaledeck');
    expect(desktopDataDir({ SCALEDECK_DATA_DIR: 'rel/data' }, '/home/me/.config/ScaleDeck')).toBe(join(process.cwd(), 'rel', 'data'));
  });

  it('falls back to Electron\'s userData folder', () => {
    expect(desktopDataDir({}, '/home/me/.config/ScaleDeck')).toBe('/home/me/.config/ScaleDeck');
    expect(desktopDataDir({ SCALEDECK_DATA_DIR: '' }, '/home/me/.config/ScaleDeck')).toBe('/home/me/.config/ScaleDeck');
  });
});
