// Throughput: as many requests as a target answers over `durationS` with autocannon, against 127.0.0.1. Not for
// counting losses (autocannon reconnects under a request in flight without saying so): paced runs use load.ts.
import autocannon from 'autocannon';

export interface ThroughputOptions {
  url: string;
  durationS: number;
  connections: number;
}

export interface ThroughputReport {
  requests: number;
  non2xx: number;
  errors: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

const loopback = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//;
// Far above what one replica answers in a benchmark window; only a bound, so a run cannot go on for ever.
const MAX_REQUESTS = 2_000_000;

export function runThroughput(options: ThroughputOptions): Promise<ThroughputReport> {
  if (!loopback.test(options.url)) throw new Error(`Benchmark load goes to 127.0.0.1 only, not to ${options.url}`);
  const startedAt = Date.now();
  let [requests, non2xx, errors] = [0, 0, 0];
  const instance = autocannon({ url: options.url, connections: options.connections, amount: MAX_REQUESTS, timeout: 10 });
  // autocannon ignores `duration` once `amount` is set; the timer bounds the time.
  const timer = setTimeout(() => instance.stop(), options.durationS * 1000);
  instance.on('response', (_client, statusCode) => {
    requests += 1;
    if (statusCode < 200 || statusCode > 299) non2xx += 1;
  });
  instance.on('reqError', () => (errors += 1));
  return new Promise((resolve) => {
    instance.on('done', (result) => {
      clearTimeout(timer);
      const durationS = (Date.now() - startedAt) / 1000;
      resolve({ requests, non2xx, errors, requestsPerSecond: requests / durationS, latencyP50Ms: result.latency.p50, latencyP99Ms: result.latency.p99 });
    });
  });
}
