import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { resolveAppPaths } from '../../../electron/shells/common/app-paths.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { buildResources: string; output: string };
  files: string[];
  extraResources: { from: string; to: string }[];
  extraMetadata?: Record<string, unknown>;
  linux: { target: string[]; category: string; executableName: string; desktop?: { entry?: Record<string, string> } };
  deb: { depends: string[]; recommends: string[] };
  mac: { target: string[] };
  win: { target: string[] };
  [key: string]: unknown;
}
const config = readJson('electron-builder.json') as BuilderConfig;
const packageJson = readJson('package.json') as { main: string };

/** Whether electron-builder packs this app-relative path: some pattern includes it and no `!pattern` excludes it. */
function isPacked(appRelativePath: string): boolean {
  const path = appRelativePath.split('\\').join('/');
  const included = config.files.filter((p) => !p.startsWith('!')).some((p) => posix.matchesGlob(path, p));
  const excluded = config.files.filter((p) => p.startsWith('!')).some((p) => posix.matchesGlob(path, p.slice(1)));
  return included && !excluded;
}

/** Every module the main process and preload load, following relative imports from the sources. */
function runtimeModules(entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const source = queue.pop()!;
    if (seen.has(source)) continue;
    seen.add(source);
    const absolute = join(ROOT, source);
    if (!existsSync(absolute)) continue;
    for (const { fileName } of ts.preProcessFile(readFileSync(absolute, 'utf8'), true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = relative(ROOT, join(dirname(absolute), fileName));
      queue.push(target.replace(/\.js$/, '.ts').replace(/\.cjs$/, '.cts'));
    }
  }
  return [...seen];
}
const builtPath = (source: string) => join('dist', source.replace(/\.ts$/, '.js').replace(/\.cts$/, '.cjs'));

describe('electron-builder configuration', () => {
  const devRoot = '/repo';
  const resources = '/opt/ScaleDeck/resources';
  const asar = join(resources, 'app.asar');
  const dev = resolveAppPaths({ appRoot: devRoot, packaged: false });
  const packaged = resolveAppPaths({ appRoot: asar, packaged: true, resourcesPath: resources });

  it('names the app and its output folders', () => {
    expect(config.appId).toBe('dev.scaledeck.app');
    expect(config.productName).toBe('ScaleDeck');
    expect(config.directories).toEqual({ buildResources: 'build', output: 'release' });
  });

  it('never uploads what it builds, even on a CI machine with a release token', () => {
    expect(config.publish).toBeNull();
  });

  it('packs package.json, its main entry, the preload and the renderer into app.asar', () => {
    expect(isPacked('package.json')).toBe(true);
    expect(isPacked(packageJson.main)).toBe(true);
    expect(isPacked(relative(asar, packaged.preload))).toBe(true);
    expect(isPacked(relative(asar, packaged.rendererIndex))).toBe(true);
    expect(isPacked(join(relative(asar, packaged.rendererDir), 'assets', 'index-abc123.js'))).toBe(true);
  });

  it('packs every module the main process and preload import, transitively', () => {
    const modules = runtimeModules(['electron/shells/desktop/main.ts', 'electron/shells/desktop/preload.cts']);
    expect(modules).toEqual(expect.arrayContaining(['electron/contract/contract.ts', 'electron/shells/common/dispatch.ts', 'electron/core/control-plane.ts']));
    const missing = modules.map(builtPath).filter((path) => !isPacked(path));
    expect(missing).toEqual([]);
  });

  it('leaves sources, tests, source maps and build resources out of the package', () => {
    for (const path of ['electron/shells/desktop/main.ts', 'test/unit/shell/app-paths.test.ts', 'dist/electron/shells/desktop/main.js.map', 'build/icons/512x512.png', 'renderer/index.html', 'dist/test/bench/run.js', 'node_modules/.bin/tsc']) {
      expect({ path, packed: isPacked(path) }).toEqual({ path, packed: false });
    }
  });

  it('ships the api image context beside app.asar, where Docker and child processes can read it', () => {
    const shipped = (devPath: string, packagedPath: string) => ({ from: relative(devRoot, devPath), to: relative(resources, packagedPath) });
    expect(config.extraResources).toEqual(
      expect.arrayContaining([
        shipped(dev.apiDockerfile, packaged.apiDockerfile),
        shipped(dev.apiServerJs, packaged.apiServerJs),
        // The image build copies the package.json beside the Dockerfile; it makes server.js an ES module.
        shipped(join(dirname(dev.apiDockerfile), 'package.json'), join(dirname(packaged.apiDockerfile), 'package.json')),
      ]),
    );
    for (const { from } of config.extraResources) {
      const source = from.startsWith('dist/') ? from.replace(/^dist\//, '').replace(/\.js$/, '.ts') : from;
      expect({ from, exists: existsSync(join(ROOT, source)) }).toEqual({ from, exists: true });
    }
  });

  it('builds an AppImage and a .deb that depends on haproxy and recommends Docker', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.linux.category).toBe('Development');
    expect(config.linux.executableName).toBe('scaledeck');
    expect(config.deb.depends.some((dep) => /^haproxy\b/.test(dep))).toBe(true);
    expect(config.deb.recommends).toContain('docker.io | docker-ce');
  });

  it('keeps the libraries Electron needs in the .deb dependencies, since setting depends replaces the defaults', () => {
    expect(config.deb.depends).toEqual(expect.arrayContaining(['libgtk-3-0', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0']));
  });

  it('ties the desktop entry to the window through the desktop file name', () => {
    expect(config.extraMetadata?.desktopName).toBe(`${config.linux.executableName}.desktop`);
    expect(config.linux.desktop?.entry).not.toHaveProperty('Exec');
  });

  it('builds a dmg on macOS and an NSIS installer on Windows', () => {
    expect(config.mac.target).toContain('dmg');
    expect(config.win.target).toContain('nsis');
  });

  it('flips Electron\'s fuses to the safe side, keeping only run-as-node, which the process driver needs', () => {
    expect(config.electronFuses).toEqual({
      // The process driver runs the api server with the app's own binary as Node (ELECTRON_RUN_AS_NODE=1).
      runAsNode: true,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('uses only options electron-builder knows', () => {
    const scheme = JSON.parse(readFileSync(join(ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as {
      properties: Record<string, unknown>;
      definitions: Record<string, { properties: Record<string, unknown> }>;
    };
    const sections: Record<string, string> = {
      linux: 'LinuxConfiguration', deb: 'DebOptions', appImage: 'AppImageOptions', mac: 'MacConfiguration',
      dmg: 'DmgOptions', win: 'WindowsConfiguration', nsis: 'NsisOptions',
    };
    const unknown = Object.keys(config).filter((key) => !(key in scheme.properties));
    for (const [section, definition] of Object.entries(sections)) {
      const known = scheme.definitions[definition]!.properties;
      unknown.push(...Object.keys((config[section] ?? {}) as object).filter((key) => !(key in known)).map((key) => `${section}.${key}`));
    }
    expect(unknown).toEqual([]);
  });
});

describe('application icons', () => {
  const pngSize = (path: string) => {
    const data = readFileSync(path);
    expect(data.subarray(1, 4).toString('latin1')).toBe('PNG');
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  };

  it('has a square PNG for every Linux icon size from 16 to 512, and 1024 for macOS', () => {
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
      const file = join(ROOT, config.directories.buildResources, 'icons', `${size}x${size}.png`);
      expect(pngSize(file)).toEqual({ width: size, height: size });
    }
  });
});
