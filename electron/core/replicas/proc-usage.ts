// CPU and memory of local processes from Linux's /proc, read synchronously: /proc is answered from the kernel's
// memory, so a read takes microseconds, where an asynchronous one (pidusage) costs a thread-pool round trip for every
// replica every second.
import { readFileSync } from 'node:fs';

/** USER_HZ, the unit of the times in /proc/PID/stat: 100 on every Linux. */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** % of one core since the previous reading of this pid (since the process started, at the first). */
  cpuPercent: number;
  /** Resident memory, bytes. */
  memBytes: number;
}

function uptimeS(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}

export class ProcUsage {
  private readonly previous = new Map<number, { ticks: number; atS: number }>();

  /** Throws when the process is gone. */
  read(pid: number): ProcessUsage {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name, which may hold spaces and parentheses; utime, stime and starttime are fields 14, 15, 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const atS = uptimeS();
    const before = this.previous.get(pid) ?? { ticks: 0, atS: Number(fields[19]) / TICKS_PER_SECOND };
    this.previous.set(pid, { ticks, atS });
    const elapsedS = atS - before.atS;
    const cpuPercent = elapsedS > 0 ? (((ticks - before.ticks) / TICKS_PER_SECOND) / elapsedS) * 100 : 0;
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
    return { cpuPercent, memBytes: rssKb * 1024 };
  }

  forget(pid: number): void {
    this.previous.delete(pid);
  }
}
