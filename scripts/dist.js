// `npm run dist`: packages the app with electron-builder, after checking that the Electron download can succeed.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROBE_TIMEOUT_MS = 5_000;

const UNREACHABLE_NOTICE =
  'Packaging needs the Electron binary from GitHub, which this machine cannot reach; run npm run dist on a machine with internet access.';

/** Where @electron/get keeps downloaded Electron zips (electron-builder reuses them instead of downloading). */
function electronCacheDir(env = process.env, platform = process.platform, home = homedir()) {
  if (env.electron_config_cache) return env.electron_config_cache;
  if (env.ELECTRON_CACHE) return env.ELECTRON_CACHE;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'electron');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'electron', 'Cache');
  return join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'electron');
}

/** True when a zip of this Electron version is already in the cache (one folder per download URL hash). */
function hasCachedElectron(cacheDir, version) {
  if (!existsSync(cacheDir)) return false;
  const isZip = (name) => name.startsWith(`electron-v${version}-`) && name.endsWith('.zip');
  return readdirSync(cacheDir, { withFileTypes: true }).some((entry) =>
    entry.isDirectory() ? readdirSync(join(cacheDir, entry.name)).some(isZip) : isZip(entry.name),
  );
}

/** The host Electron is downloaded from: GitHub, or the mirror a user configured. */
function downloadOrigin(env = process.env) {
  const url = new URL(env.ELECTRON_MIRROR || env.electron_config_mirror || 'https://github.com/');
  return { host: url.hostname, port: Number(url.port) || (url.protocol === 'http:' ? 80 : 443) };
}

function canConnect({ host, port }, timeoutMs = PROBE_TIMEOUT_MS) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function electronVersion() {
  const require = createRequire(import.meta.url);
  return JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
}

function runElectronBuilder(args) {
  const cli = join(dirname(createRequire(import.meta.url).resolve('electron-builder/package.json')), 'cli.js');
  const child = spawn(process.execPath, [cli, ...args], { cwd: REPO_ROOT, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (code !== 0) console.error(`electron-builder failed (${signal ?? `exit code ${code}`}); its log above says why.`);
    process.exit(code ?? 1);
  });
}

async function main() {
  const args = process.argv.slice(2);
  const usable = hasCachedElectron(electronCacheDir(), electronVersion()) || (await canConnect(downloadOrigin()));
  if (!usable) {
    // Checked up front: electron-builder would otherwise rebuild native modules, then fail with a stack trace.
    console.error(UNREACHABLE_NOTICE);
    process.exit(2);
  }
  runElectronBuilder(args);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
