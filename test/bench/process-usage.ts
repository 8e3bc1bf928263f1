// CPU and memory of one process from /proc (Linux): CPU as % of one core per interval, resident memory in MB.
// CPU comes from each thread's run time in nanoseconds (schedstat) where the kernel keeps it: the clock ticks of
// /proc/PID/stat count in 10 ms steps, coarser than the 0.1 s a process idling at 1 % of a core uses in 10 s.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface UsageSeries {
  /** % of one core in each interval. */
  cpuPercent: number[];
  rssMb: number[];
  /** CPU time over wall time for the whole window, % of one core: spikes count, unlike in a median. */
  meanCpuPercent: number;
  /** Where the CPU figures come from: per-thread run time (ns) or clock ticks (10 ms). */
  source: 'schedstat' | 'ticks';
  /** CPU of the short-lived processes it ran and waited for (cutime + cstime), mean % of one core. */
  meanChildCpuPercent: number;
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** Own (utime + stime) and waited-for children's (cutime + cstime) CPU in clock ticks. */
function cpuTicks(pid: number): { own: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name in parentheses may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 to 17 of proc(5); the slice above starts at field 3.
  return { own: Number(fields[11]) + Number(fields[12]), children: Number(fields[13]) + Number(fields[14]) };
}

/**
 * The process's run time so far, ms: the sum over its threads of /proc/PID/task/TID/schedstat's first field (ns on
 * the CPU). Null without schedstat. A thread that ended meanwhile takes its time with it; Node's threads live as long
 * as the process.
 */
function runTimeMs(pid: number): number | null {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    return Number.isFinite(ns) ? ns / 1e6 : null;
  } catch {
    return null;
  }
}

function rssMb(pid: number): number {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
  if (!match) throw new Error(`/proc/${pid}/status has no VmRSS line: is ${pid} a running process?`);
  return Number(match[1]) / 1024;
}

/** Samples `pid` every `everyMs` for `durationMs`. */
export async function sampleUsage(pid: number, durationMs: number, everyMs = 1000): Promise<UsageSeries> {
  const hz = clockTicksPerSecond();
  const source = runTimeMs(pid) === null ? 'ticks' : 'schedstat';
  /** The process's own CPU so far, ms. */
  const ownMs = (ticks: { own: number }) => (source === 'schedstat' ? (runTimeMs(pid) ?? Number.NaN) : (ticks.own / hz) * 1000);
  const cpuPercent: number[] = [];
  const rss: number[] = [];
  const first = cpuTicks(pid);
  const firstOwnMs = ownMs(first);
  const firstAt = performance.now();
  let ticks = first;
  let own = firstOwnMs;
  let at = firstAt;
  while (at - firstAt < durationMs - everyMs / 2) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    const nowTicks = cpuTicks(pid);
    const nowOwn = ownMs(nowTicks);
    const now = performance.now();
    cpuPercent.push(((nowOwn - own) / (now - at)) * 100);
    rss.push(rssMb(pid));
    ticks = nowTicks;
    own = nowOwn;
    at = now;
  }
  const windowMs = at - firstAt;
  return {
    cpuPercent,
    rssMb: rss,
    meanCpuPercent: ((own - firstOwnMs) / windowMs) * 100,
    meanChildCpuPercent: (((ticks.children - first.children) / hz) * 1000 / windowMs) * 100,
    source,
  };
}
