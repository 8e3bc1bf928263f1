// Bounded load with autocannon against 127.0.0.1: at most `maxRequests` requests and at most `durationS` seconds,
// counting failures per phase (the caller names phases such as "scale-out") and noting which replica answered when.
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  /** Requests per second over all connections; absent means as fast as the target answers. */
  rate?: number;
  durationS: number;
  /** Defaults to rate x duration, or 2,000,000 for an unpaced run. */
  maxRequests?: number;
  method?: 'GET' | 'POST';
  body?: Buffer;
  connections?: number;
  /** Parse each JSON answer's `host`; costs CPU, so off for throughput runs. */
  trackHosts?: boolean;
}

export interface FailureCounts {
  requests: number;
  non2xx: number;
  errors: number;
}

export interface LoadReport extends FailureCounts {
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
  /** Failures from now on count towards this phase. */
  setPhase(phase: string): void;
  /** Called with each replica host name the first time it answers. */
  onNewHost(listener: (host: string, at: number) => void): void;
  done: Promise<LoadReport>;
  stop(): void;
}

const loopback = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//;

export function runLoad(options: LoadOptions): LoadRun {
  if (!loopback.test(options.url)) throw new Error(`Benchmark load goes to 127.0.0.1 only, not to ${options.url}`);
  const maxRequests = options.maxRequests ?? (options.rate ? Math.ceil(options.rate * options.durationS) : 2_000_000);
  const byPhase: Record<string, FailureCounts> = {};
  const totals: FailureCounts = { requests: 0, non2xx: 0, errors: 0 };
  const firstSeen = new Map<string, number>();
  const lastSeen = new Map<string, number>();
  const hostListeners: Array<(host: string, at: number) => void> = [];
  let phase = 'steady';
  const count = (field: keyof FailureCounts) => {
    totals[field] += 1;
    byPhase[phase] ??= { requests: 0, non2xx: 0, errors: 0 };
    byPhase[phase][field] += 1;
  };

  const startedAt = Date.now();
  const instance = autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    body: options.body,
    headers: options.body ? { 'content-type': 'application/octet-stream' } : undefined,
    connections: options.connections ?? 10,
    ...(options.rate ? { overallRate: options.rate } : {}),
    // autocannon ignores `duration` once `amount` is set; the timer below bounds the time.
    amount: maxRequests,
    timeout: 10,
    setupClient: options.trackHosts
      ? (client) => {
          (client as NodeJS.EventEmitter).on('body', (body: Buffer) => {
            let host: string | undefined;
            try {
              host = (JSON.parse(body.toString('utf8')) as { host?: string }).host;
            } catch {
              // Not JSON: HAProxy's own error page, counted through its status.
            }
            if (host) lastSeen.set(host, Date.now());
            if (host && !firstSeen.has(host)) {
              const at = Date.now();
              firstSeen.set(host, at);
              for (const listener of hostListeners) listener(host, at);
            }
          });
        }
      : undefined,
  });
  const timer = setTimeout(() => instance.stop(), options.durationS * 1000);
  instance.on('response', (_client, statusCode) => {
    count('requests');
    if (statusCode < 200 || statusCode > 299) count('non2xx');
  });
  instance.on('reqError', () => count('errors'));
  const done = new Promise<LoadReport>((resolve) => {
    instance.on('done', (result) => {
      clearTimeout(timer);
      const durationS = (Date.now() - startedAt) / 1000;
      resolve({
        ...totals,
        byPhase,
        firstSeen,
        lastSeen,
        requestsPerSecond: totals.requests / durationS,
        latencyP50Ms: result.latency.p50,
        latencyP99Ms: result.latency.p99,
        durationS,
      });
    });
  });
  return {
    startedAt,
    setPhase: (next) => {
      phase = next;
    },
    onNewHost: (listener) => {
      hostListeners.push(listener);
    },
    done,
    stop: () => instance.stop(),
  };
}
