// A load client that accounts for every request it sends: a fixed count at a steady rate over a fixed pool of
// keep-alive connections to 127.0.0.1, each request ending exactly once as a 2xx, another status, or an error.
import http from 'node:http';

export interface CountedLoadOptions {
  url: string;
  /** Requests per second; the run issues rate x durationS requests, evenly spaced. */
  rate: number;
  durationS: number;
  method?: 'GET' | 'POST';
  body?: Buffer;
  /** Extra request headers, e.g. the Host a route on the shared frontend matches. */
  headers?: http.OutgoingHttpHeaders;
  /** At most this many connections at once (default 10); a request waits for a free one. */
  connections?: number;
  /** A request not answered this long after it was issued ends as an error `ETIMEDOUT` (default 10 s). */
  timeoutMs?: number;
  /** Told of each request's end as it happens (for phase and first-seen accounting). */
  onOutcome?: (outcome: Outcome) => void;
}

export type Outcome =
  | { kind: 'ok2xx' | 'non2xx'; status: number; host: string | undefined; at: number; latencyMs: number }
  | { kind: 'error'; code: string; at: number; latencyMs: number };

export interface CountedReport {
  issued: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  /** Error code (ECONNRESET, ETIMEDOUT, ...) -> how many requests ended with it. */
  errorKinds: Record<string, number>;
  /** The `host` field of the JSON answers: which replicas answered. */
  hosts: Set<string>;
  /** Latency of every request that got an answer, in the order they ended. */
  latenciesMs: number[];
  durationS: number;
}

export interface CountedRun {
  readonly startedAt: number;
  done: Promise<CountedReport>;
  /** Issues no further request; the run ends once those in flight have ended. */
  stop(): void;
  progress(): { issued: number; answered: number; finished: boolean };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);
const DEFAULT_TIMEOUT_MS = 10_000;
// Answers beyond this are not parsed for a host name (the sample api answers a few dozen bytes).
const MAX_PARSED_BODY_BYTES = 64 * 1024;

/** The problem with these options, naming the field, or undefined when they are usable. */
export function countedLoadProblem(options: CountedLoadOptions): string | undefined {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    return `url: not a URL: ${options.url}`;
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return `url: load goes to http://127.0.0.1 or http://localhost only, not to ${options.url}`;
  if (!(options.rate > 0) || !Number.isFinite(options.rate)) return `rate: must be a positive number of requests per second, got ${options.rate}`;
  if (!(options.durationS > 0) || !Number.isFinite(options.durationS)) return `durationS: must be a positive number of seconds, got ${options.durationS}`;
  if (Math.round(options.rate * options.durationS) < 1) return `durationS: at ${options.rate} requests/s, ${options.durationS} s sends no request`;
  const connections = options.connections ?? 10;
  if (!Number.isInteger(connections) || connections < 1 || connections > 1000) return `connections: must be a whole number from 1 to 1000, got ${connections}`;
  if (options.body !== undefined && options.method !== 'POST') return 'body: only a POST carries a body';
  return undefined;
}

export function runCountedLoad(options: CountedLoadOptions): CountedRun {
  const problem = countedLoadProblem(options);
  if (problem) throw new Error(problem);
  const total = Math.round(options.rate * options.durationS);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const connections = options.connections ?? 10;
  // One pool of at most `connections` sockets. Node's client never resends a request: a socket closed under one
  // ends that request with an error, and only a later request opens a new connection.
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxTotalSockets: connections, scheduling: 'fifo' });
  const report: CountedReport = { issued: 0, ok2xx: 0, non2xx: 0, errors: 0, errorKinds: {}, hosts: new Set(), latenciesMs: [], durationS: 0 };
  let inFlight = 0;
  let stopped = false;
  let finished = false;
  let resolveDone: (report: CountedReport) => void;
  const done = new Promise<CountedReport>((resolve) => (resolveDone = resolve));
  const startedAt = Date.now();

  const finishIfDone = () => {
    if (finished || inFlight > 0 || !(stopped || report.issued === total)) return;
    finished = true;
    clearInterval(pacer);
    agent.destroy();
    report.durationS = (Date.now() - startedAt) / 1000;
    resolveDone(report);
  };

  const end = (outcome: Outcome) => {
    inFlight -= 1;
    if (outcome.kind === 'error') {
      report.errors += 1;
      report.errorKinds[outcome.code] = (report.errorKinds[outcome.code] ?? 0) + 1;
    } else {
      report[outcome.kind] += 1;
      report.latenciesMs.push(outcome.latencyMs);
      if (outcome.host) report.hosts.add(outcome.host);
    }
    options.onOutcome?.(outcome);
    finishIfDone();
  };

  const issue = () => {
    report.issued += 1;
    inFlight += 1;
    sendOne(options, agent, timeoutMs, end);
  };

  // Each request has its slot at startedAt + i / rate; a late tick issues every slot that has come.
  const pacer = setInterval(() => {
    const due = Math.min(total, Math.floor(((Date.now() - startedAt) * options.rate) / 1000) + 1);
    while (!stopped && report.issued < due) issue();
    if (report.issued === total) clearInterval(pacer);
    finishIfDone();
  }, 5);
  issue();

  return {
    startedAt,
    done,
    stop: () => {
      stopped = true;
      finishIfDone();
    },
    progress: () => ({ issued: report.issued, answered: report.ok2xx + report.non2xx + report.errors, finished }),
  };
}

/** Sends one request; `end` is called exactly once with how it ended. */
function sendOne(options: CountedLoadOptions, agent: http.Agent, timeoutMs: number, end: (outcome: Outcome) => void): void {
  const sentAt = performance.now();
  let ended = false;
  // Armed at once, so a request waiting for a free connection counts towards its time too.
  const timer = setTimeout(() => {
    fail('ETIMEDOUT');
    request.destroy();
  }, timeoutMs);
  const finish = (outcome: Outcome) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    end(outcome);
  };
  const fail = (code: string) => finish({ kind: 'error', code, at: Date.now(), latencyMs: performance.now() - sentAt });
  const headers: http.OutgoingHttpHeaders = { ...options.headers, ...(options.body ? { 'content-type': 'application/octet-stream', 'content-length': options.body.length } : {}) };
  const request = http.request(options.url, { method: options.method ?? 'GET', agent, headers }, (response) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_PARSED_BODY_BYTES) chunks.push(chunk);
    });
    response.on('end', () => {
      const status = response.statusCode ?? 0;
      finish({ kind: status >= 200 && status <= 299 ? 'ok2xx' : 'non2xx', status, host: hostIn(Buffer.concat(chunks)), at: Date.now(), latencyMs: performance.now() - sentAt });
    });
    // A connection closed in the middle of an answer: the request did not get its answer.
    response.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ERESPONSE'));
    response.on('close', () => {
      if (!response.complete) fail('ECONNRESET');
    });
  });
  request.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
  request.end(options.body);
}

function hostIn(body: Buffer): string | undefined {
  try {
    const host = (JSON.parse(body.toString('utf8')) as { host?: unknown }).host;
    return typeof host === 'string' ? host : undefined;
  } catch {
    // Not JSON (HAProxy's own error page): the status already says what happened.
    return undefined;
  }
}
