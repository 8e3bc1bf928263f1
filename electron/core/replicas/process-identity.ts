// Whether a pid still runs one of our replicas, on Linux: asked for every replica twice a second by the listing and
// once by the stats. Reading the command line each time was most of a hundred replicas' cost; a pid whose command
// line was seen to be ours once is known by its start time after, and asked with signal 0 (no file read) in between.
import { readFileSync } from 'node:fs';

/** What /proc/PID/stat says of a process: its state letter and its start time (clock ticks after boot). */
export interface ProcStatIdentity {
  state: string;
  startTicks: string;
}

/** The state (field 3) and start time (field 22) of a /proc/PID/stat line; the command name may hold spaces and ')'. */
export function identityOfStat(stat: string): ProcStatIdentity {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', startTicks: fields[19] ?? '' };
}

export class ProcessIdentity {
  /** Pids whose command line was ours, with their start time then. */
  private readonly known = new Map<number, string>();

  constructor(private readonly isOurs: (args: string[]) => boolean) {}

  /**
   * Reads the command line: the check before any signal is sent. A zombie has an empty one, so it counts as gone; a
   * process that is gone has no /proc entry, so the read alone tells.
   */
  confirm(pid: number): boolean {
    let args: string[];
    let identity: ProcStatIdentity;
    try {
      // /proc is answered from the kernel's memory: a synchronous read takes microseconds.
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      identity = identityOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      this.known.delete(pid);
      return false;
    }
    if (!this.isOurs(args) || identity.state === 'Z') {
      this.known.delete(pid);
      return false;
    }
    this.known.set(pid, identity.startTicks);
    return true;
  }

  /**
   * For the listing: a pid confirmed before is still ours while it exists (signal 0). A pid reused meanwhile is told
   * apart by its start time at the next stats reading (`matches`), within a second; nothing is signalled on this
   * answer alone.
   */
  stillRunning(pid: number): boolean {
    if (!this.known.has(pid)) return this.confirm(pid);
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      // ESRCH: gone. EPERM: a process of another user now holds the pid, so not ours either.
      this.known.delete(pid);
      return false;
    }
  }

  /** A /proc/PID/stat read for its figures: still the process confirmed, not a zombie, not a reused pid. */
  matches(pid: number, identity: ProcStatIdentity): boolean {
    const startTicks = this.known.get(pid);
    if (startTicks === undefined) return this.confirm(pid);
    if (identity.state !== 'Z' && identity.startTicks === startTicks) return true;
    this.known.delete(pid);
    return false;
  }

  forget(pid: number): void {
    this.known.delete(pid);
  }
}
