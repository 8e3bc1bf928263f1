// `npm start`: runs the Electron app (fetching its binary the first time), or the headless dashboard when it cannot.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const HEADLESS_ENTRY = join('dist', 'electron', 'shells', 'headless', 'server.js');
export const ELECTRON_ENTRY = join('dist', 'electron', 'shells', 'desktop', 'main.js');

/** The one line printed when Electron cannot run, with the reason it could not be fetched or started. */
export function electronMissingNotice(reason) {
  return `Electron could not be fetched (${reason}); starting the headless dashboard instead.`;
}

/**
 * The Electron executable, or null when it was never downloaded. Reads the package's path.txt the way
 * electron/index.js does, because requiring 'electron' without a binary starts a download and prints a stack trace.
 */
export function electronBinaryPath(env = process.env, resolveFrom = import.meta.url) {
  const packageDir = electronPackageDir(resolveFrom);
  if (!packageDir) return null;
  const pathFile = join(packageDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH || join(packageDir, 'dist');
  if (!executable && !env.ELECTRON_OVERRIDE_DIST_PATH) return null;
  const binary = join(distDir, executable || 'electron');
  return existsSync(binary) ? binary : null;
}

function electronPackageDir(resolveFrom) {
  try {
    return dirname(createRequire(resolveFrom).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** An error as one line: fetch's own message says only "fetch failed", the reason is in its cause. */
function oneLine(error) {
  const cause = error?.cause;
  const causeText = cause ? `: ${cause.message ?? cause}` : '';
  return `${error?.message ?? error}${causeText}`.split('\n')[0].trim();
}

function showProgress(stream) {
  let shown = -1;
  return ({ percent }) => {
    const whole = Math.floor(percent * 100);
    if (!stream.isTTY || whole === shown) return;
    shown = whole;
    stream.write(`\rFetching Electron: ${whole}%`);
    if (whole === 100) stream.write('\n');
  };
}

/** Runs electron's install.js, which unpacks the (now cached) archive and writes path.txt; resolves with its error line. */
function runElectronInstall(packageDir) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(packageDir, 'install.js')], { cwd: packageDir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
    child.on('error', (error) => resolve(error.message));
    child.on('exit', (code) => {
      const firstLine = stderr.split('\n').map((line) => line.trim()).find(Boolean);
      resolve(code === 0 ? null : (firstLine ?? `install.js exited with code ${code}`));
    });
  });
}

/**
 * The Electron binary, fetched first when missing. Electron 45 has no install script: its binary comes on first use,
 * so a fresh `npm install` has none. Fetches through electron's own @electron/get (mirror, cache and checksum settings
 * as the user configured them), then lets its install.js unpack it. Resolves { binary } or { reason } in one line.
 */
export async function ensureElectron({ resolveFrom = import.meta.url, out = process.stdout } = {}) {
  const installed = electronBinaryPath(process.env, resolveFrom);
  if (installed) return { binary: installed };
  const packageDir = electronPackageDir(resolveFrom);
  if (!packageDir) return { reason: 'the electron package is not installed; run npm install' };
  const version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
  out.write(`Fetching Electron ${version} (first start only)...\n`);
  try {
    const { downloadArtifact } = await import(pathToFileURL(createRequire(join(packageDir, 'install.js')).resolve('@electron/get')).href);
    const remoteChecksums = process.env.electron_use_remote_checksums || process.env.npm_config_electron_use_remote_checksums;
    await downloadArtifact({
      version,
      artifactName: 'electron',
      cacheRoot: process.env.electron_config_cache,
      checksums: remoteChecksums ? undefined : JSON.parse(readFileSync(join(packageDir, 'checksums.json'), 'utf8')),
      platform: process.env.ELECTRON_INSTALL_PLATFORM || process.env.npm_config_platform || process.platform,
      arch: process.env.ELECTRON_INSTALL_ARCH || process.env.npm_config_arch || process.arch,
      downloadOptions: { quiet: true, getProgressCallback: showProgress(out) },
    });
  } catch (error) {
    return { reason: oneLine(error) };
  }
  const installError = await runElectronInstall(packageDir);
  if (installError) return { reason: `unpacking it failed: ${installError}` };
  const binary = electronBinaryPath(process.env, resolveFrom);
  return binary ? { binary } : { reason: `it was unpacked but no binary is in ${join(packageDir, 'dist')}` };
}

/** What to run: Electron on the repository, or the headless shell with the same arguments and the reason. */
export function chooseShell(electron, args, nodePath = process.execPath) {
  if (electron.binary) return { kind: 'electron', command: electron.binary, args: ['.', ...args], entry: ELECTRON_ENTRY };
  return { kind: 'headless', command: nodePath, args: [HEADLESS_ENTRY, ...args], entry: HEADLESS_ENTRY, notice: electronMissingNotice(electron.reason) };
}

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function run(choice) {
  if (choice.notice) console.log(choice.notice);
  if (!existsSync(join(REPO_ROOT, choice.entry))) {
    console.error(`${choice.entry} is missing: run npm run build first (npm start does it for you).`);
    process.exit(1);
  }
  // Its own process group: a Ctrl-C reaches the child once, through the forwarding below, not twice.
  const child = spawn(choice.command, choice.args, { cwd: REPO_ROOT, stdio: 'inherit', detached: true });
  const forwarders = FORWARDED_SIGNALS.map((signal) => {
    const forward = () => child.kill(signal);
    process.on(signal, forward);
    return [signal, forward];
  });
  child.on('error', (error) => {
    console.error(`Could not start ${choice.command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const [name, forward] of forwarders) process.off(name, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(chooseShell(await ensureElectron(), process.argv.slice(2)));
}
