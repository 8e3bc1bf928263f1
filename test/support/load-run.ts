// Bounded load against a frontend for the integration tests, counted request by request (counted-load.ts), and the
// one log line every "no request dropped" test prints.
import { expect } from 'vitest';
import { runCountedLoad, type CountedLoadOptions } from './counted-load.js';

export interface LoadReport {
  /** Requests sent: rate x duration unless the run was stopped early. */
  issued: number;
  ok2xx: number;
  /** Answers of any status (ok2xx + non2xx). */
  requests: number;
  non2xx: number;
  /** Requests that got no answer: a connection cut under them, a refused connection, a timeout. */
  errors: number;
  errorKinds: Record<string, number>;
  hosts: Set<string>;
  /** The first requests that did not end 2xx: when each was issued (ms after the run began) and how it ended. */
  failures: string[];
}

const MAX_FAILURES_KEPT = 20;

export interface LoadRun {
  done: Promise<LoadReport>;
  stop(): void;
  /** Responses and errors so far, and whether the run has ended. */
  progress(): { answered: number; finished: boolean };
}

/** A counted run's options; what each request ended as is reported at the end, not as it happens. */
export type LoadOptions = Omit<CountedLoadOptions, 'onOutcome'>;

/** Exactly rate x duration requests at an even pace, each counted once as a 2xx, another status or an error. */
export function runLoad(options: LoadOptions): LoadRun {
  const failures: string[] = [];
  const run = runCountedLoad({
    ...options,
    onOutcome: (outcome) => {
      if (outcome.kind === 'ok2xx' || failures.length >= MAX_FAILURES_KEPT) return;
      const issuedAfterMs = Math.round(outcome.at - outcome.latencyMs - run.startedAt);
      failures.push(`issued at +${issuedAfterMs} ms, ${outcome.kind === 'error' ? outcome.code : `HTTP ${outcome.status}`} after ${Math.round(outcome.latencyMs)} ms`);
    },
  });
  const done = run.done.then(({ issued, ok2xx, non2xx, errors, errorKinds, hosts }) => ({ issued, ok2xx, requests: ok2xx + non2xx, non2xx, errors, errorKinds, hosts, failures }));
  return {
    done,
    stop: () => run.stop(),
    progress: () => {
      const { answered, finished } = run.progress();
      return { answered, finished };
    },
  };
}

/** `label: issued N, ok2xx N, non2xx N, errors N (kinds), hosts N`: the exact counts of one run. */
export function loadLine(label: string, report: LoadReport): string {
  const kinds = Object.entries(report.errorKinds).map(([kind, n]) => `${kind} ${n}`).join(', ');
  return `${label}: issued ${report.issued}, ok2xx ${report.ok2xx}, non2xx ${report.non2xx}, errors ${report.errors}${kinds ? ` (${kinds})` : ''}, hosts ${report.hosts.size}`;
}

/** Waits for a GET and a POST load run side by side, logs their exact counts under `label`, and answers both. */
export async function finishLoads(loads: LoadRun[], label: string): Promise<{ get: LoadReport; post: LoadReport }> {
  const [get, post] = (await Promise.all(loads.map((l) => l.done))) as [LoadReport, LoadReport];
  console.log(`[${label}] ${loadLine('GET', get)}; ${loadLine('POST 64 KiB', post)}`);
  return { get, post };
}

/** The zero-drop check: exactly `issued` requests went out (rate x duration) and every one was answered 2xx. */
export function expectEveryRequestAnswered(report: LoadReport, issued: number, what = 'load'): void {
  expect(report.issued, `${what}: requests issued`).toBe(issued);
  expect({ ok2xx: report.ok2xx, non2xx: report.non2xx, errors: report.errors, errorKinds: report.errorKinds }, `${what}: every request answered 2xx (not: ${report.failures.join('; ')})`)
    .toEqual({ ok2xx: issued, non2xx: 0, errors: 0, errorKinds: {} });
}
