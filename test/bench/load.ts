// Paced load for the benchmarks, counted request by request (test/support/counted-load.ts): rate x duration requests
// at most, each ending once, with failures per phase (the caller names phases such as "scale-out") and which replica
// answered when.
import { runCountedLoad, type CountedLoadOptions, type Outcome } from '../support/counted-load.js';

export type LoadOptions = Omit<CountedLoadOptions, 'onOutcome' | 'timeoutMs'>;

export interface FailureCounts {
  /** Answers of any status. */
  requests: number;
  non2xx: number;
  errors: number;
}

export interface LoadReport extends FailureCounts {
  issued: number;
  ok2xx: number;
  errorKinds: Record<string, number>;
  byPhase: Record<string, FailureCounts>;
  /** Replica host name -> epoch ms of its first answer. */
  firstSeen: Map<string, number>;
  /** Replica host name -> epoch ms of its last answer. */
  lastSeen: Map<string, number>;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  durationS: number;
}

export interface LoadRun {
  readonly startedAt: number;
  /** Requests ending from now on count towards this phase. */
  setPhase(phase: string): void;
  /** Called with each replica host name the first time it answers. */
  onNewHost(listener: (host: string, at: number) => void): void;
  done: Promise<LoadReport>;
  /** Issues no further request; `done` follows once those in flight have ended. */
  stop(): void;
}

export function runLoad(options: LoadOptions): LoadRun {
  const byPhase: Record<string, FailureCounts> = {};
  const firstSeen = new Map<string, number>();
  const lastSeen = new Map<string, number>();
  const hostListeners: Array<(host: string, at: number) => void> = [];
  let phase = 'steady';
  const onOutcome = (outcome: Outcome) => {
    const counts = (byPhase[phase] ??= { requests: 0, non2xx: 0, errors: 0 });
    if (outcome.kind === 'error') {
      counts.errors += 1;
      return;
    }
    counts.requests += 1;
    if (outcome.kind === 'non2xx') counts.non2xx += 1;
    const { host, at } = outcome;
    if (!host) return;
    lastSeen.set(host, at);
    if (firstSeen.has(host)) return;
    firstSeen.set(host, at);
    for (const listener of hostListeners) listener(host, at);
  };
  const run = runCountedLoad({ ...options, onOutcome });
  const done = run.done.then((report): LoadReport => {
    const requests = report.ok2xx + report.non2xx;
    return {
      issued: report.issued,
      ok2xx: report.ok2xx,
      requests,
      non2xx: report.non2xx,
      errors: report.errors,
      errorKinds: report.errorKinds,
      byPhase,
      firstSeen,
      lastSeen,
      requestsPerSecond: requests / report.durationS,
      latencyP50Ms: percentile(report.latenciesMs, 0.5),
      latencyP99Ms: percentile(report.latenciesMs, 0.99),
      durationS: report.durationS,
    };
  });
  return {
    startedAt: run.startedAt,
    setPhase: (next) => {
      phase = next;
    },
    onNewHost: (listener) => {
      hostListeners.push(listener);
    },
    done,
    stop: () => run.stop(),
  };
}

/** Nearest-rank percentile in whole milliseconds; NaN when nothing was answered. */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
}
