// Where the app finds its own files (renderer, preload, api image context), in development and when packaged.
import { existsSync } from 'node:fs';
import { dirname, join, parse, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AppPaths {
  /** The built renderer (Vite output). */
  rendererDir: string;
  rendererIndex: string;
  /** The sandboxed preload script (CommonJS). */
  preload: string;
  /** The api image's build context: Docker reads these from the real file system, never from app.asar. */
  apiDockerfile: string;
  apiServerJs: string;
}

export interface AppLocation {
  /** The repository root in development; Electron's app path (`.../resources/app.asar`) when packaged. */
  appRoot: string;
  packaged: boolean;
  /** `process.resourcesPath`; only read when packaged. */
  resourcesPath?: string;
}

export function resolveAppPaths({ appRoot, packaged, resourcesPath }: AppLocation): AppPaths {
  const rendererDir = join(appRoot, 'dist', 'renderer');
  const shared = {
    rendererDir,
    rendererIndex: join(rendererDir, 'index.html'),
    preload: join(appRoot, 'dist', 'electron', 'shells', 'desktop', 'preload.cjs'),
  };
  if (!packaged) {
    return { ...shared, apiDockerfile: join(appRoot, 'api', 'Dockerfile'), apiServerJs: join(appRoot, 'dist', 'api', 'server.js') };
  }
  if (!resourcesPath) throw new Error('A packaged app needs process.resourcesPath to find the api image files (extraResources).');
  // electron-builder's extraResources put these next to app.asar, so Docker and child processes can read them.
  return { ...shared, apiDockerfile: join(resourcesPath, 'api', 'Dockerfile'), apiServerJs: join(resourcesPath, 'api', 'server.js') };
}

/**
 * The repository root (or app.asar root) for a module's `import.meta.url`: the nearest folder holding package.json.
 * Works from the build (dist/electron/shells/desktop/main.js) and from sources run by a test runner (electron/shells/common/app-paths.ts).
 */
export function repoRootFrom(importMetaUrl: string): string {
  const start = dirname(fileURLToPath(importMetaUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dir === parse(dir).root) throw new Error(`No package.json found above ${start}; run ScaleDeck from its repository or package.`);
  }
}

/**
 * The Electron shell's data folder: SCALEDECK_DATA_DIR when set (as for the headless shell), else Electron's userData
 * folder. One variable moves both shells, so a desktop and a headless run can share (or avoid) one folder on purpose.
 */
export function desktopDataDir(env: NodeJS.ProcessEnv, userDataPath: string): string {
  return env.SCALEDECK_DATA_DIR ? resolve(env.SCALEDECK_DATA_DIR) : userDataPath;
}
