// Finds and ends the haproxy processes that run one config file, by reading /proc (Linux).
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

async function commandLine(pid: number): Promise<string[]> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    // A zombie (exited, not yet reaped) has an empty command line, so it never counts as running.
    return raw.split('\0').filter((arg) => arg !== '');
  } catch {
    return [];
  }
}

function runsConfig(argv: string[], configFile: string): boolean {
  if (argv.length === 0 || !basename(argv[0]).startsWith('haproxy')) return false;
  return argv.some((arg, i) => (arg === configFile && argv[i - 1] === '-f') || arg === `-f${configFile}`);
}

/** True when pid is a live haproxy (master or worker) started with `-f configFile`. */
export async function isRunningConfig(pid: number, configFile: string): Promise<boolean> {
  return Number.isInteger(pid) && pid > 0 && runsConfig(await commandLine(pid), configFile);
}

/** Every live haproxy process started with `-f configFile`: a master, its workers, or orphans of either. */
export async function processesRunningConfig(configFile: string): Promise<number[]> {
  const entries = await readdir('/proc');
  const pids = entries.filter((entry) => /^\d+$/.test(entry)).map(Number);
  const running = await Promise.all(pids.map(async (pid) => ((await isRunningConfig(pid, configFile)) ? pid : 0)));
  return running.filter((pid) => pid !== 0);
}

export async function waitForExit(pids: number[], configFile: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = await Promise.all(pids.map((pid) => isRunningConfig(pid, configFile)));
    if (!alive.includes(true)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const RESEND_MS = 250;

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // Already gone between the look-up and the signal: that is the goal anyway.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Sends `first` to the given processes (repeated every RESEND_MS), then SIGKILL to what is still there after graceMs. */
export async function endProcesses(pids: number[], configFile: string, first: NodeJS.Signals, graceMs: number): Promise<void> {
  if (pids.length === 0) return;
  const deadline = Date.now() + graceMs;
  for (;;) {
    // A master still starting up blocks SIGUSR1 and then discards it when it installs its handlers: repeat it.
    for (const pid of pids) {
      if (await isRunningConfig(pid, configFile)) signal(pid, first);
    }
    const remaining = deadline - Date.now();
    if (await waitForExit(pids, configFile, Math.max(0, Math.min(RESEND_MS, remaining)))) return;
    if (remaining <= RESEND_MS) break;
  }
  for (const pid of pids) {
    if (await isRunningConfig(pid, configFile)) signal(pid, 'SIGKILL');
  }
  if (!(await waitForExit(pids, configFile, 5_000))) {
    throw new Error(`HAProxy processes ${pids.join(', ')} running ${configFile} did not exit even after SIGKILL`);
  }
}
