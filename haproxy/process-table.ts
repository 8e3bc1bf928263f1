// Finds and ends the haproxy processes that run one config file, from the process list (ps-list: ps on Linux and
// macOS, its own lister on Windows). Asking after one known process, the supervisor's twice-a-second check, reads
// /proc where there is one instead of spawning ps each time; without /proc (macOS) it asks the list.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import psList from 'ps-list';

export interface ProcessInfo {
  pid: number;
  /** The whole command line as the system shows it, arguments joined by spaces. */
  cmd: string;
}

export type ListProcesses = () => Promise<ProcessInfo[]>;

export const listProcesses: ListProcesses = async () => (await psList({ all: true })).map((p) => ({ pid: p.pid, cmd: p.cmd ?? '' }));

/**
 * A haproxy (master or worker) started with `-f configFile`. The command line comes joined, and a data folder may
 * hold spaces ("Application Support" on macOS), so the config is matched as a whole argument at the end or before a
 * space, never split. A zombie (exited, not yet reaped) shows no arguments, so it never counts.
 */
export function runsConfig(cmd: string, configFile: string): boolean {
  if (!basename(cmd.split(' ')[0] ?? '').startsWith('haproxy')) return false;
  for (const flag of [` -f ${configFile}`, ` -f${configFile}`]) {
    for (let at = cmd.indexOf(flag); at !== -1; at = cmd.indexOf(flag, at + 1)) {
      const after = cmd[at + flag.length];
      if (after === undefined || after === ' ') return true;
    }
  }
  return false;
}

/** Every live haproxy process started with `-f configFile`: a master, its workers, or orphans of either. */
export async function processesRunningConfig(configFile: string, list: ListProcesses = listProcesses): Promise<number[]> {
  return (await list()).filter((p) => runsConfig(p.cmd, configFile)).map((p) => p.pid);
}

const HAS_PROC = existsSync('/proc/self/cmdline');

/** One process's command line, joined as the process list shows it; null when it is gone. */
async function commandLineOf(pid: number, list: ListProcesses): Promise<string | null> {
  if (list === listProcesses && HAS_PROC) {
    try {
      return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((arg) => arg !== '').join(' ');
    } catch {
      return null;
    }
  }
  return (await list()).find((p) => p.pid === pid)?.cmd ?? null;
}

/** True when pid is a live haproxy (master or worker) started with `-f configFile`. */
export async function isRunningConfig(pid: number, configFile: string, list: ListProcesses = listProcesses): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const cmd = await commandLineOf(pid, list);
  return cmd !== null && runsConfig(cmd, configFile);
}

async function stillRunning(pids: number[], configFile: string, list: ListProcesses): Promise<number[]> {
  const running = await Promise.all(pids.map((pid) => isRunningConfig(pid, configFile, list)));
  return pids.filter((_pid, i) => running[i]);
}

export async function waitForExit(pids: number[], configFile: string, timeoutMs: number, list: ListProcesses = listProcesses): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await stillRunning(pids, configFile, list)).length === 0) return true;
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
export async function endProcesses(pids: number[], configFile: string, first: NodeJS.Signals, graceMs: number, list: ListProcesses = listProcesses): Promise<void> {
  if (pids.length === 0) return;
  const deadline = Date.now() + graceMs;
  for (;;) {
    // A master still starting up blocks SIGUSR1 and then discards it when it installs its handlers: repeat it.
    for (const pid of await stillRunning(pids, configFile, list)) signal(pid, first);
    const remaining = deadline - Date.now();
    if (await waitForExit(pids, configFile, Math.max(0, Math.min(RESEND_MS, remaining)), list)) return;
    if (remaining <= RESEND_MS) break;
  }
  for (const pid of await stillRunning(pids, configFile, list)) signal(pid, 'SIGKILL');
  if (!(await waitForExit(pids, configFile, 5_000, list))) {
    throw new Error(`HAProxy processes ${pids.join(', ')} running ${configFile} did not exit even after SIGKILL`);
  }
}
