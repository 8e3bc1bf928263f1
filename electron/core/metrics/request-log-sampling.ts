// Keeps HAProxy's request log sampling in step with the request rate: all requests at low rates, about
// LOG_LINES_PER_S a second at high ones, through the sampling ACL (in memory at once, on disk for a reload).
import { writeFile } from 'node:fs/promises';
import { unloggedRange } from '../../../haproxy/request-log.js';
import { keptPerScale } from './latency-sampling.js';

export interface SamplingAcl {
  /** Replaces the ACL's patterns in the running HAProxy. */
  replace(patterns: string[]): Promise<void>;
}

export class RequestLogSampling {
  /** Requests kept in LOG_SAMPLE_SCALE as last applied; null until the first apply (an adopted HAProxy's is unknown). */
  private kept: number | null = null;
  private applying = false;

  constructor(private readonly aclFile: string, private readonly acl: () => SamplingAcl | null) {}

  get keptPerScale(): number | null {
    return this.kept;
  }

  /** Called with each sample's request rate; at most one change in flight, a failed one is retried on the next. */
  async follow(rps: number | null): Promise<void> {
    const acl = this.acl();
    if (this.applying || acl === null) return;
    const next = keptPerScale(rps, this.kept);
    if (next === this.kept) return;
    this.applying = true;
    try {
      const range = unloggedRange(next);
      const patterns = range === null ? [] : [range];
      await writeFile(this.aclFile, patterns.map((p) => `${p}\n`).join(''), { mode: 0o600 });
      await acl.replace(patterns);
      this.kept = next;
    } catch {
      // HAProxy restarting or reloading: it reads the file written above; the next sample sends it again.
    } finally {
      this.applying = false;
    }
  }
}
