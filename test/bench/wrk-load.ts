// Throughput at saturation with wrk (C, one thread) pinned to one CPU, for comparing paths to the same replica: on a
// 2-core machine autocannon in the bench's own node process took a core's worth beside HAProxy and the replica, and
// reports latency in whole milliseconds, so a p99 of 1 ms could only compare as 1, 0.5 or 2.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { ThroughputOptions, ThroughputReport } from './throughput-load.js';

const WRK = '/usr/bin/wrk';

/** True when Debian's wrk is installed (apt install wrk). */
export function wrkInstalled(): boolean {
  return existsSync(WRK);
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };

/** wrk's printed percentile (`--latency`), in ms. */
function percentileMs(output: string, percent: number): number {
  const match = new RegExp(`^\\s*${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
  if (!match) throw new Error(`wrk printed no ${percent}th percentile; its output was:\n${output}`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

function countOf(output: string, pattern: RegExp): number {
  const match = pattern.exec(output);
  return match ? Number(match[1]) : 0;
}

/** wrk on `cpu` (0-based) for a whole number of seconds (wrk takes no fraction). */
export async function runWrk(options: ThroughputOptions & { cpu: number }): Promise<ThroughputReport> {
  const seconds = Math.max(1, Math.round(options.durationS));
  const { stdout } = await promisify(execFile)('taskset', ['-c', String(options.cpu), WRK, '-t1', `-c${options.connections}`, `-d${seconds}s`, '--latency', options.url]);
  const requests = countOf(stdout, /^\s*(\d+) requests in/m);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    requests,
    non2xx: countOf(stdout, /Non-2xx or 3xx responses: (\d+)/),
    errors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
    latencyP50Ms: percentileMs(stdout, 50),
    latencyP99Ms: percentileMs(stdout, 99),
  };
}
