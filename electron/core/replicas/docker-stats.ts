// Container CPU and memory: from the container's cgroup files when the engine runs on this machine, else from
// Docker's stats stream, kept open per container so a reading costs no round trip.
import type { IncomingMessage } from 'node:http';
import type Dockerode from 'dockerode';
import { localContainerCgroup, type ContainerCgroup } from './container-cgroup.js';
import type { ReplicaStats } from './replica-driver.js';

/**
 * Why a stream, where no cgroup can be read: every non-streaming stats call, `one-shot` included, takes about 1 s on Docker 20.10 because
 * the engine answers only at its next collection tick. An open stream receives that tick's sample anyway, once
 * a second, with the engine's previous sample as precpu_stats; reading the latest one is then free. The cost is
 * one idle HTTP connection per replica and a ~2 KB JSON document per replica per second.
 */
const SAMPLE_WAIT_MS = 5_000;
/** A sample older than this is stale: the engine sends one per second while the container runs. */
const FRESH_MS = 3_000;

interface Feed {
  /** Settles once the source is known: the container's cgroup files, or else the stream, opened. */
  located: Promise<void>;
  cgroup?: ContainerCgroup;
  stream?: NodeJS.ReadableStream;
  latest?: { sample: Dockerode.ContainerStats; at: number };
  waiters: Array<{ resolve: (sample: Dockerode.ContainerStats) => void; reject: (error: Error) => void }>;
  closed: boolean;
}

/** CPU as a percentage of the limit (100 = the whole limit) and memory without reclaimable page cache. */
export function statsFromSample(sample: Dockerode.ContainerStats, cpuLimit: number): ReplicaStats | null {
  const cpu = sample.cpu_stats;
  const pre = sample.precpu_stats;
  if (!cpu?.cpu_usage?.total_usage || !cpu.system_cpu_usage || !pre?.system_cpu_usage) return null;
  const systemDelta = cpu.system_cpu_usage - pre.system_cpu_usage;
  const containerDelta = cpu.cpu_usage.total_usage - (pre.cpu_usage?.total_usage ?? 0);
  // system_cpu_usage counts every core of the host, so the share of it times the cores is cores used.
  const cores = cpu.online_cpus || cpu.cpu_usage.percpu_usage?.length || 1;
  const usedCores = systemDelta > 0 && containerDelta >= 0 ? (containerDelta / systemDelta) * cores : 0;
  const memory = sample.memory_stats ?? {};
  const counters = (memory.stats ?? {}) as Record<string, number | undefined>;
  // Inactive page cache is reclaimable at once, so `docker stats` leaves it out too (cgroup v1 and v2 names).
  const inactiveFile = counters.total_inactive_file ?? counters.inactive_file ?? 0;
  return { cpuPercent: (usedCores / cpuLimit) * 100, memBytes: Math.max(0, (memory.usage ?? 0) - inactiveFile) };
}

function shortId(id: string): string {
  return id.slice(0, 12);
}

export interface StatsFeedOptions {
  /** Reads a local container's cgroup files instead of its stream (the default); off, every container streams. */
  fromCgroups?: boolean;
}

/**
 * Why cgroup files first: a stream costs the engine a collection per container per second and this process a JSON
 * document to parse, for counters the kernel hands out in microseconds. A container found elsewhere (Docker Desktop's
 * VM, a remote engine, another pid namespace) has no cgroup here, and streams.
 */
export class DockerStatsFeeds {
  private readonly feeds = new Map<string, Feed>();
  private readonly fromCgroups: boolean;

  constructor(private readonly docker: Dockerode, options: StatsFeedOptions = {}) {
    this.fromCgroups = options.fromCgroups ?? true;
  }

  /** Starts reading a container, so its first reading does not wait; `pid`, its main process, saves an inspection. Idempotent. */
  watch(id: string, pid?: number): void {
    if (this.feeds.has(id)) return;
    const feed: Feed = { located: Promise.resolve(), waiters: [], closed: false };
    this.feeds.set(id, feed);
    feed.located = this.cgroupOf(id, pid).then((cgroup) => {
      if (feed.closed) return;
      if (cgroup) feed.cgroup = cgroup;
      else this.stream(id, feed);
    });
  }

  private async cgroupOf(id: string, pid?: number): Promise<ContainerCgroup | null> {
    if (!this.fromCgroups) return null;
    try {
      return localContainerCgroup(id, pid ?? (await this.docker.getContainer(id).inspect()).State.Pid);
    } catch {
      return null;
    }
  }

  /** Where a container's readings come from, once known. */
  source(id: string): 'cgroup' | 'stream' | undefined {
    const feed = this.feeds.get(id);
    if (feed?.cgroup) return 'cgroup';
    return feed?.stream ? 'stream' : undefined;
  }

  private stream(id: string, feed: Feed): void {
    this.docker
      .getContainer(id)
      .stats({ stream: true })
      .then((stream) => {
        if (feed.closed) {
          (stream as IncomingMessage).destroy();
          return;
        }
        feed.stream = stream;
        // An idle stats connection must not keep a CLI or a test process alive.
        (stream as IncomingMessage).socket?.unref();
        this.follow(id, feed, stream);
      })
      .catch((error: Error) => this.end(id, feed, new Error(`could not read stats of ${shortId(id)}: ${error.message.split('\n')[0]}`)));
  }

  private follow(id: string, feed: Feed, stream: NodeJS.ReadableStream): void {
    let pending = '';
    stream.on('data', (chunk: Buffer | string) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        let sample: Dockerode.ContainerStats;
        try {
          sample = JSON.parse(line) as Dockerode.ContainerStats;
        } catch {
          continue;
        }
        // A stopped container's stream goes on sending zeroed samples; nothing more will come from it.
        if (!sample.cpu_stats?.cpu_usage?.total_usage) {
          (stream as IncomingMessage).destroy();
          this.end(id, feed, new Error(`container ${shortId(id)} is not running: it has no stats`));
          return;
        }
        feed.latest = { sample, at: Date.now() };
        if (statsFromSample(sample, 1)) for (const waiter of feed.waiters.splice(0)) waiter.resolve(sample);
      }
    });
    stream.on('error', (error: Error) => this.end(id, feed, new Error(`stats of ${shortId(id)} failed: ${error.message}`)));
    stream.on('end', () => this.end(id, feed, new Error(`container ${shortId(id)} stopped: it has no stats`)));
    stream.on('close', () => this.end(id, feed, new Error(`container ${shortId(id)} stopped: it has no stats`)));
  }

  private end(id: string, feed: Feed, error: Error): void {
    if (this.feeds.get(id) === feed) this.feeds.delete(id);
    feed.closed = true;
    for (const waiter of feed.waiters.splice(0)) waiter.reject(error);
  }

  /** The latest complete sample of a container, waiting for one when none is fresh; throws when it cannot be read. */
  async read(id: string, cpuLimit: number): Promise<ReplicaStats> {
    this.watch(id);
    const feed = this.feeds.get(id);
    if (!feed) throw new Error(`could not read stats of ${shortId(id)}`);
    await feed.located;
    if (feed.closed) throw new Error(`container ${shortId(id)} was removed: it has no stats`);
    if (feed.cgroup) {
      try {
        return await feed.cgroup.read(cpuLimit);
      } catch {
        // The engine removes a container's cgroup when it stops.
        this.forget(id);
        throw new Error(`container ${shortId(id)} is not running: it has no stats`);
      }
    }
    const latest = feed.latest;
    const ready = latest && Date.now() - latest.at < FRESH_MS ? statsFromSample(latest.sample, cpuLimit) : null;
    if (ready) return ready;
    // A stopped container's stream may stay silent; asking the engine is quicker than waiting it out.
    if (!latest && !(await this.isRunning(id))) {
      this.forget(id);
      throw new Error(`container ${shortId(id)} is not running: it has no stats`);
    }
    const sample = await new Promise<Dockerode.ContainerStats>((resolve, reject) => {
      const waiter = {
        resolve: (value: Dockerode.ContainerStats) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        feed.waiters = feed.waiters.filter((other) => other !== waiter);
        reject(new Error(`no stats from container ${shortId(id)} within ${SAMPLE_WAIT_MS / 1000} s: is it running?`));
      }, SAMPLE_WAIT_MS);
      feed.waiters.push(waiter);
    });
    const stats = statsFromSample(sample, cpuLimit);
    if (!stats) throw new Error(`container ${shortId(id)} reports no CPU counters: it is not running`);
    return stats;
  }

  private async isRunning(id: string): Promise<boolean> {
    try {
      return (await this.docker.getContainer(id).inspect()).State.Running;
    } catch {
      return false;
    }
  }

  /** Stops the feed of a container (removed, or no longer listed). */
  forget(id: string): void {
    const feed = this.feeds.get(id);
    if (!feed) return;
    this.feeds.delete(id);
    (feed.stream as IncomingMessage | undefined)?.destroy();
    this.end(id, feed, new Error(`container ${shortId(id)} was removed`));
  }

  /** Ids with an open feed. */
  watched(): string[] {
    return [...this.feeds.keys()];
  }

  /** Feeds for exactly these containers (those that run now): new ones opened, the rest closed. */
  keepOnly(ids: Iterable<string>): void {
    const keep = new Set(ids);
    for (const id of keep) this.watch(id);
    for (const id of this.watched()) if (!keep.has(id)) this.forget(id);
  }

  close(): void {
    for (const id of this.watched()) this.forget(id);
  }
}
