// Host CPU use in percent of all cores, from the kernel's tick counters, between two calls.
// systeminformation's currentLoad() reads the same counters through a shell it spawns on every call: measured at
// about 40 % of the control plane's busy time when sampling every second, so the delta is taken here instead.
import { readFileSync } from 'node:fs';
import os from 'node:os';

const MS_PER_TICK = 10;

/** CPU time, ms, all cores together. */
export interface Ticks {
  busy: number;
  total: number;
}

/**
 * The first line of /proc/stat (all cores together): one file read. os.cpus() reads /proc/stat and /proc/cpuinfo and a
 * frequency file per core on every call, some thirty system calls each second on a 16-core machine.
 */
export function ticksOfProcStat(text: string): Ticks | null {
  const line = /^cpu\s+(.*)$/m.exec(text)?.[1];
  if (!line) return null;
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).map(Number);
  if ([user, nice, system, idle].some((value) => value === undefined || !Number.isFinite(value))) return null;
  const busy = (user as number) + (nice as number) + (system as number) + irq + softirq + steal;
  // In USER_HZ ticks (100 a second on every Linux); ms, as os.cpus() counts.
  return { busy: busy * MS_PER_TICK, total: (busy + (idle as number) + iowait) * MS_PER_TICK };
}

function readProcStat(): Ticks | null {
  try {
    return ticksOfProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

function readTicks(): Ticks {
  const fromProc = readProcStat();
  if (fromProc) return fromProc;
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** Counters moved less than this (ms, all cores together) since the last reading: too little to tell anything new. */
const MIN_SPAN_MS = 100;

export class HostCpu {
  private previous: Ticks;
  private last: number | null = null;

  /** `read` is the kernel's counters; tests hand in their own. */
  constructor(private readonly read: () => Ticks = readTicks) {
    this.previous = read();
  }

  /** CPU use of the whole machine since the previous call (or since construction), 0..100; the same again for a call right after. */
  percent(): number {
    const now = this.read();
    const total = now.total - this.previous.total;
    // Services sampling on one tick ask within a millisecond of each other: each gets the figure of the whole
    // interval, not a sliver of it (or nothing) after the first.
    if (total < MIN_SPAN_MS && this.last !== null) return this.last;
    const busy = now.busy - this.previous.busy;
    this.previous = now;
    this.last = total > 0 ? Math.min(100, Math.max(0, (busy / total) * 100)) : 0;
    return this.last;
  }
}
