// `npm start`: runs the Electron app, or the headless dashboard when the Electron binary is not installed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const HEADLESS_ENTRY = join('dist', 'electron', 'server.js');
export const ELECTRON_ENTRY = join('dist', 'electron', 'main.js');
export const ELECTRON_MISSING_NOTICE =
  'Electron is not installed (its binary could not be downloaded); starting the headless dashboard instead.';

/**
 * The Electron executable, or null when it was never downloaded. Reads the package's path.txt the way
 * electron/index.js does, because requiring 'electron' without a binary starts a download and prints a stack trace.
 */
export function electronBinaryPath(env = process.env, resolveFrom = import.meta.url) {
  let packageDir;
  try {
    packageDir = dirname(createRequire(resolveFrom).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(packageDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH || join(packageDir, 'dist');
  if (!executable && !env.ELECTRON_OVERRIDE_DIST_PATH) return null;
  const binary = join(distDir, executable || 'electron');
  return existsSync(binary) ? binary : null;
}

/** What to run: Electron on the repository, or the headless shell with the same arguments. */
export function chooseShell(electronBinary, args, nodePath = process.execPath) {
  if (electronBinary) return { kind: 'electron', command: electronBinary, args: ['.', ...args], entry: ELECTRON_ENTRY };
  return { kind: 'headless', command: nodePath, args: [HEADLESS_ENTRY, ...args], entry: HEADLESS_ENTRY, notice: ELECTRON_MISSING_NOTICE };
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
  run(chooseShell(electronBinaryPath(), process.argv.slice(2)));
}
