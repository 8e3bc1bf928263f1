// `npm run dist`: packages the app with electron-builder; without the downloads it needs, it ends in one line saying so.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROBE_TIMEOUT_MS = 5_000;

const UNREACHABLE_NOTICE =
  'Packaging needs the Electron binary from GitHub, which this machine cannot reach; run npm run dist on a machine with internet access.';
export const LOG_FILE = join('release', 'electron-builder.log');
/** How much of electron-builder's output is kept in memory to explain a failure; all of it goes to the log file. */
const KEPT_OUTPUT_CHARS = 64 * 1024;
const NETWORK_FAILURE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|getaddrinfo|network connectivity|fetch failed|socket hang up/i;

/**
 * The one line that ends a failed run. Even with Electron cached, electron-builder downloads more (Electron's headers to
 * rebuild native modules, the AppImage and fpm tools from GitHub), and reports a missing network as a stack trace.
 */
export function failureLine(output, exitDescription, logFile = LOG_FILE) {
  if (NETWORK_FAILURE.test(output)) {
    return `Packaging needs downloads this machine cannot reach (Electron's headers for native modules, electron-builder's AppImage and fpm tools from GitHub); run npm run dist on a machine with internet access (log: ${logFile}).`;
  }
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  const reason = lines.find((line) => line.startsWith('⨯') && line.length > 1) ?? lines.at(-1) ?? 'no output';
  return `electron-builder failed (${exitDescription}): ${reason.replace(/^⨯\s*/, '').split(/\s+stackTrace=/)[0]} (log: ${logFile}).`;
}

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

/** Runs electron-builder with its whole output in the log file; its progress lines ("• ...") are shown as they come. */
function runElectronBuilder(args) {
  const cli = join(dirname(createRequire(import.meta.url).resolve('electron-builder/package.json')), 'cli.js');
  mkdirSync(join(REPO_ROOT, dirname(LOG_FILE)), { recursive: true });
  const log = createWriteStream(join(REPO_ROOT, LOG_FILE));
  const child = spawn(process.execPath, [cli, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let kept = '';
  let partial = '';
  const take = (chunk) => {
    log.write(chunk);
    const text = chunk.toString();
    kept = (kept + text).slice(-KEPT_OUTPUT_CHARS);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (/^\s*•/.test(line)) console.log(line);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  child.on('exit', (code, signal) => {
    log.end();
    if (code !== 0) console.error(failureLine(kept, signal ?? `exit code ${code}`));
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
