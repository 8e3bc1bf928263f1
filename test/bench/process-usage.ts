// CPU and memory of one process from /proc (Linux): CPU as % of one core per interval, resident memory in MB.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface UsageSeries {
  /** % of one core in each interval. */
  cpuPercent: number[];
  rssMb: number[];
  /** CPU time over wall time for the whole window, % of one core: spikes count, unlike in a median. */
  meanCpuPercent: number;
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

function rssMb(pid: number): number {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
  if (!match) throw new Error(`/proc/${pid}/status has no VmRSS line: is ${pid} a running process?`);
  return Number(match[1]) / 1024;
}

/** Samples `pid` every `everyMs` for `durationMs`. */
export async function sampleUsage(pid: number, durationMs: number, everyMs = 1000): Promise<UsageSeries> {
  const hz = clockTicksPerSecond();
  const cpuPercent: number[] = [];
  const rss: number[] = [];
  const first = cpuTicks(pid);
  const firstAt = performance.now();
  let ticks = first;
  let at = firstAt;
  while (at - firstAt < durationMs - everyMs / 2) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    const nowTicks = cpuTicks(pid);
    const now = performance.now();
    cpuPercent.push(((nowTicks.own - ticks.own) / hz / ((now - at) / 1000)) * 100);
    rss.push(rssMb(pid));
    ticks = nowTicks;
    at = now;
  }
  const percentOfWindow = (delta: number) => (delta / hz / ((at - firstAt) / 1000)) * 100;
  return {
    cpuPercent,
    rssMb: rss,
    meanCpuPercent: percentOfWindow(ticks.own - first.own),
    meanChildCpuPercent: percentOfWindow(ticks.children - first.children),
  };
}
