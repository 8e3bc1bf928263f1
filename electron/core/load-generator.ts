// "Generate load": a bounded autocannon run against our own frontend, so a person can watch autoscaling happen.
import autocannon from 'autocannon';
import type { LoadInput, LoadStatus } from '../contract/contract.js';

/**
 * The URL a load run sends to: `path` resolved against our frontend, and refused when it leaves it. A path such as
 * `//other.host/` or `/\\other.host/` resolves to another origin, and the generator must never load anything else.
 */
export function loadTarget(frontend: string, path = '/'): { url: string } | { error: string } {
  let url: URL;
  try {
    url = new URL(path, frontend);
  } catch {
    return { error: `path: ${JSON.stringify(path)} is not a path on the frontend` };
  }
  if (url.origin !== new URL(frontend).origin) {
    return { error: `path: ${JSON.stringify(path)} leads to ${url.origin}, not to the frontend ${new URL(frontend).origin}; give a path such as /work?ms=20` };
  }
  return { url: url.toString() };
}

export class LoadGenerator {
  private instance: autocannon.Instance | null = null;
  private current: LoadStatus = { running: false, rate: 0, durationS: 0, startedAt: null, sent: 0, errors: 0, non2xx: 0 };

  constructor(private readonly onChange: (status: LoadStatus) => void, private readonly now: () => number = Date.now) {}

  get status(): LoadStatus {
    return { ...this.current };
  }

  /**
   * Starts a run against our frontend at `frontend` (with `host` as the Host header, for a route on the shared
   * frontend); a running one is stopped first. Throws for a path off it.
   */
  start(frontend: string, input: LoadInput, host?: string): LoadStatus {
    const target = loadTarget(frontend, input.path);
    if ('error' in target) throw new Error(target.error);
    const { url } = target;
    this.stop();
    this.current = { running: true, rate: input.rate, durationS: input.durationS, startedAt: this.now(), sent: 0, errors: 0, non2xx: 0 };
    const instance = autocannon({
      url,
      ...(host === undefined ? {} : { headers: { host } }),
      // Enough connections to reach the rate with ~100 ms responses, few enough to stay polite on a laptop.
      connections: Math.max(1, Math.min(64, Math.ceil(input.rate / 10))),
      overallRate: input.rate,
      duration: input.durationS,
      amount: input.rate * input.durationS,
      timeout: 10,
    });
    this.instance = instance;
    instance.on('response', (_client, statusCode) => {
      this.current.sent += 1;
      if (statusCode < 200 || statusCode > 299) this.current.non2xx += 1;
    });
    instance.on('reqError', () => {
      this.current.errors += 1;
    });
    instance.on('done', () => {
      if (this.instance !== instance) return;
      this.instance = null;
      this.current.running = false;
      this.onChange(this.status);
    });
    this.onChange(this.status);
    return this.status;
  }

  stop(): LoadStatus {
    const instance = this.instance;
    this.instance = null;
    if (instance) {
      instance.stop();
      this.current.running = false;
      this.onChange(this.status);
    }
    return this.status;
  }
}
