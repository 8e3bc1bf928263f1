// Samples host CPU, per-replica CPU/memory and HAProxy traffic once per interval, into a bounded history.
import type { Sample } from '../../contract/contract.js';
import type { ReplicaStats } from '../replicas/replica-driver.js';
import type { LatencyPercentiles } from './latency-window.js';
import { latencyReadingOf } from './latency-sampling.js';
import { requestRate, type RequestCount } from './request-rate.js';
import { RingBuffer } from './ring-buffer.js';
import { systemClock, withTimeout, type Cancel, type Clock } from '../clock.js';

export interface TrafficStats {
  /**
   * The backend's cumulative requests; the sampler turns it into the service's rate. Requests held at zero replicas
   * are not in it until a replica serves them: the sample counts them apart (`held`).
   */
  requestsTotal: number;
  sessions: number;
  queue: number;
  /** Requests held in the frontend for want of a server, or null when they could not be counted. */
  held: number | null;
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
  /** The replica-memory figure the policy scales on (ready replicas, % of the memory limit). */
  replicaMemory: (stats: Map<string, ReplicaStats | null>) => number | null;
  /** Percentiles of the requests HAProxy answered since the last call. */
  latency: () => LatencyPercentiles;
  desired: () => number;
}

export interface SampleResult {
  sample: Sample;
  /** Per replica id: its stats, or null when they could not be read this tick. */
  stats: Map<string, ReplicaStats | null>;
}

const STATS_TIMEOUT_MS = 3000;

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
  private latestProblems = new Map<string, string>();
  private previous5xx: number | null = null;
  private previousRequests: RequestCount | null = null;
  private running: Promise<SampleResult> | null = null;
  private cancelTimer: Cancel | null = null;
  /** Ticks skipped because the previous one was still running (a slow engine never stacks up work). */
  skippedTicks = 0;

  constructor(private readonly sources: SamplerSources, historyCapacity = 3600, private readonly clock: Clock = systemClock) {
    this.history = new RingBuffer<Sample>(historyCapacity);
  }

  get stats(): Map<string, ReplicaStats | null> {
    return this.latestStats;
  }

  /** Per replica id whose stats could not be read this tick: why, as the driver said it. */
  get statsProblems(): ReadonlyMap<string, string> {
    return this.latestProblems;
  }

  start(intervalMs: number, onSample: (result: SampleResult) => void): void {
    this.stop();
    this.cancelTimer = this.clock.every(intervalMs, () => {
      if (this.running) {
        this.skippedTicks += 1;
        return;
      }
      this.sampleOnce().then(onSample, () => undefined);
    });
  }

  /** Stops the ticks; resolves once a sample in flight has been taken (its result is still handed out). */
  async stop(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.running?.catch(() => undefined);
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
    const problems = new Map<string, string>();
    const [hostCpu, traffic, perReplica] = await Promise.all([
      orNull(withTimeout(this.clock, sources.hostCpu(), STATS_TIMEOUT_MS, 'host CPU')),
      orNull(withTimeout(this.clock, sources.traffic(), STATS_TIMEOUT_MS, 'HAProxy stats')),
      // In parallel: ten replicas cost about as much wall time as one.
      Promise.all(replicas.map(async (r) => {
        try {
          return [r.id, await withTimeout(this.clock, sources.replicaStats(r.id), STATS_TIMEOUT_MS, 'replica stats')] as const;
        } catch (error) {
          problems.set(r.id, error instanceof Error ? error.message : String(error));
          return [r.id, null] as const;
        }
      })),
    ]);
    const stats = new Map(perReplica);
    this.latestStats = stats;
    this.latestProblems = problems;

    let http5xx: number | null = null;
    let rps: number | null = null;
    if (traffic) {
      http5xx = this.previous5xx === null ? 0 : Math.max(0, traffic.http5xxTotal - this.previous5xx);
      this.previous5xx = traffic.http5xxTotal;
      const requests = { total: traffic.requestsTotal, at: this.clock.now() };
      rps = requestRate(this.previousRequests, requests);
      this.previousRequests = requests;
    }
    const ready = replicas.filter((r) => r.state === 'ready').length;
    const latency = latencyReadingOf(sources.latency());
    const sample: Sample = {
      at: this.clock.now(),
      hostCpu,
      replicaCpu: sources.replicaCpu(stats),
      rps,
      rpsPerReplica: rps !== null && ready > 0 ? rps / ready : null,
      sessions: traffic?.sessions ?? null,
      queue: traffic?.queue ?? null,
      held: traffic?.held ?? null,
      http5xx,
      responseTimeMs: traffic?.responseTimeMs ?? null,
      latencyP50Ms: latency.p50Ms,
      latencyP95Ms: latency.p95Ms,
      latencySampleSize: latency.sampleSize,
      latencyShortfall: latency.shortfall,
      replicaMemory: sources.replicaMemory(stats),
      desired: sources.desired(),
      ready,
      total: replicas.length,
    };
    this.history.push(sample);
    return { sample, stats };
  }
}
