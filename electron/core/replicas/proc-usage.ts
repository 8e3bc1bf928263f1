// CPU and memory of local processes from Linux's /proc, read synchronously: /proc is answered from the kernel's
// memory, so a read takes microseconds, where an asynchronous one (pidusage) costs a thread-pool round trip for every
// replica every second.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { identityOfStat, type ProcStatIdentity } from './process-identity.js';

/** USER_HZ, the unit of the times in /proc/PID/stat: 100 on every Linux. */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** % of one core since the previous reading of this pid (since the process started, at the first). */
  cpuPercent: number;
  /** Resident memory, bytes. */
  memBytes: number;
  /** Its state and start time, which tell a zombie and a reused pid apart. */
  identity: ProcStatIdentity;
}

function uptimeS(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}

/** The kernel's page size, the unit of rss in /proc/PID/stat: AT_PAGESZ (6) in this process's auxiliary vector. */
function pageSize(): number {
  try {
    const auxv = readFileSync('/proc/self/auxv');
    const wide = process.arch.endsWith('64') || process.arch === 's390x';
    const little = os.endianness() === 'LE';
    const width = wide ? 8 : 4;
    const word = (at: number) => Number(wide ? (little ? auxv.readBigUInt64LE(at) : auxv.readBigUInt64BE(at)) : (little ? auxv.readUInt32LE(at) : auxv.readUInt32BE(at)));
    for (let at = 0; at + 2 * width <= auxv.length; at += 2 * width) {
      if (word(at) === 6) return word(at + width);
    }
  } catch {
    // No auxv to read: the page size of nearly every Linux machine.
  }
  return 4096;
}

export class ProcUsage {
  /** Per pid: its CPU ticks at the last reading, and when (performance.now() ms). */
  private readonly previous = new Map<number, { ticks: number; atMs: number }>();
  private readonly pageBytes = pageSize();

  /**
   * Throws when the process is gone. One file per reading (/proc/PID/stat holds the CPU times and the resident pages),
   * and the monotonic clock between readings: for a hundred replicas every second, each file read counts.
   */
  read(pid: number): ProcessUsage {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name, which may hold spaces and parentheses; utime, stime, starttime and rss are fields 14,
    // 15, 22 and 24.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const atMs = performance.now();
    const before = this.previous.get(pid);
    this.previous.set(pid, { ticks, atMs });
    // The first reading measures since the process started, which only the kernel's uptime can tell.
    const elapsedS = before ? (atMs - before.atMs) / 1000 : uptimeS() - Number(fields[19]) / TICKS_PER_SECOND;
    const cpuTicks = ticks - (before?.ticks ?? 0);
    const cpuPercent = elapsedS > 0 ? ((cpuTicks / TICKS_PER_SECOND) / elapsedS) * 100 : 0;
    return { cpuPercent, memBytes: Number(fields[21]) * this.pageBytes, identity: identityOfStat(stat) };
  }

  forget(pid: number): void {
    this.previous.delete(pid);
  }
}
