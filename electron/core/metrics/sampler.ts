// Samples host CPU, per-replica CPU/memory and HAProxy traffic once per interval, into a bounded history.
import type { Sample } from '../../contract.js';
import type { ReplicaStats } from '../replicas/replica-driver.js';
import { RingBuffer } from './ring-buffer.js';

export interface TrafficStats {
  rps: number;
  sessions: number;
  queue: number;
  /** Cumulative 5xx responses of the backend; the sampler turns it into a per-interval count. */
  http5xxTotal: number;
  responseTimeMs: number;
}

export interface SampledReplica {
  id: string;
  state: string;
  startedAt: number;
}

export interface SamplerSources {
  hostCpu: () => Promise<number>;
  replicaStats: (id: string) => Promise<ReplicaStats>;
  traffic: () => Promise<TrafficStats>;
  replicas: () => SampledReplica[];
  /** The replica-CPU figure the policy scales on (ready, warmed-up replicas only). */
  replicaCpu: (stats: Map<string, ReplicaStats | null>) => number | null;
  desired: () => number;
}

export interface SampleResult {
  sample: Sample;
  /** Per replica id: its stats, or null when they could not be read this tick. */
  stats: Map<string, ReplicaStats | null>;
}

const STATS_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function orNull<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch {
    return null;
  }
}

export class MetricsSampler {
  readonly history: RingBuffer<Sample>;
  private latestStats = new Map<string, ReplicaStats | null>();
  private previous5xx: number | null = null;
  private running: Promise<SampleResult> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Ticks skipped because the previous one was still running (a slow engine never stacks up work). */
  skippedTicks = 0;

  constructor(private readonly sources: SamplerSources, historyCapacity = 3600, private readonly now: () => number = Date.now) {
    this.history = new RingBuffer<Sample>(historyCapacity);
  }

  get stats(): Map<string, ReplicaStats | null> {
    return this.latestStats;
  }

  start(intervalMs: number, onSample: (result: SampleResult) => void): void {
    this.stop();
    this.timer = setInterval(() => {
      if (this.running) {
        this.skippedTicks += 1;
        return;
      }
      this.sampleOnce().then(onSample, () => undefined);
    }, intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Takes one sample; concurrent callers share the one in progress. */
  sampleOnce(): Promise<SampleResult> {
    this.running ??= this.collect().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async collect(): Promise<SampleResult> {
    const { sources } = this;
    const replicas = sources.replicas();
    const [hostCpu, traffic, perReplica] = await Promise.all([
      orNull(withTimeout(sources.hostCpu(), STATS_TIMEOUT_MS, 'host CPU')),
      orNull(withTimeout(sources.traffic(), STATS_TIMEOUT_MS, 'HAProxy stats')),
      // In parallel: ten replicas cost about as much wall time as one.
      Promise.all(replicas.map(async (r) => [r.id, await orNull(withTimeout(sources.replicaStats(r.id), STATS_TIMEOUT_MS, 'replica stats'))] as const)),
    ]);
    const stats = new Map(perReplica);
    this.latestStats = stats;

    let http5xx: number | null = null;
    if (traffic) {
      http5xx = this.previous5xx === null ? 0 : Math.max(0, traffic.http5xxTotal - this.previous5xx);
      this.previous5xx = traffic.http5xxTotal;
    }
    const ready = replicas.filter((r) => r.state === 'ready').length;
    const sample: Sample = {
      at: this.now(),
      hostCpu,
      replicaCpu: sources.replicaCpu(stats),
      rps: traffic?.rps ?? null,
      rpsPerReplica: traffic && ready > 0 ? traffic.rps / ready : null,
      sessions: traffic?.sessions ?? null,
      queue: traffic?.queue ?? null,
      http5xx,
      responseTimeMs: traffic?.responseTimeMs ?? null,
      desired: sources.desired(),
      ready,
      total: replicas.length,
    };
    this.history.push(sample);
    return { sample, stats };
  }
}
