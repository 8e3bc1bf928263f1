// The runtime API's read-only answers every service needs each tick (`show stat`, `show servers state`, the held
// count), asked once for all services and parsed once: each service picks its own backend's rows from the one answer.
import { HELD_COMMAND } from './request-hold.js';
import type { RuntimeClient } from './runtime-client.js';
import type { ServerState, StatRecord } from './stat.js';

/**
 * How long a finished answer still serves a later ask. Services ticking together join the one in flight; this only
 * covers a straggler, and stays below the waker's 50 ms poll so a held request is never seen late.
 */
export const SHARED_READ_MAX_AGE_MS = 20;

interface Reading<T> {
  answer: Promise<T>;
  /** The client's change count when it was asked: a server change since then makes it stale. */
  changes: number;
  /** performance.now() when it settled; undefined while in flight. */
  settledAt?: number;
}

/** One read command's latest answer, shared while it is current. */
class SharedRead<T> {
  private latest: Reading<T> | null = null;

  constructor(private readonly ask: (client: RuntimeClient) => Promise<T>, private readonly maxAgeMs: number) {}

  get(client: RuntimeClient): Promise<T> {
    const latest = this.latest;
    const changes = client.serverChanges;
    // A change sent (or still under way) after the question was asked may be missing from the answer: ask again.
    if (latest && latest.changes === changes && !client.changingServers &&
      (latest.settledAt === undefined || performance.now() - latest.settledAt <= this.maxAgeMs)) {
      return latest.answer;
    }
    const reading: Reading<T> = { answer: this.ask(client), changes };
    this.latest = reading;
    const settled = () => {
      reading.settledAt = performance.now();
    };
    reading.answer.then(settled, () => {
      // A failure is not shared beyond the callers already waiting on it.
      if (this.latest === reading) this.latest = null;
    });
    return reading.answer;
  }
}

export class SharedRuntimeReads {
  private readonly stats: SharedRead<StatRecord[]>;
  private readonly proxyStats: SharedRead<StatRecord[]>;
  private readonly servers: SharedRead<ServerState[]>;
  private readonly held: SharedRead<string>;

  constructor(private readonly client: () => RuntimeClient, maxAgeMs = SHARED_READ_MAX_AGE_MS) {
    this.stats = new SharedRead((c) => c.showStat(), maxAgeMs);
    this.proxyStats = new SharedRead((c) => c.showStat({ proxiesOnly: true }), maxAgeMs);
    this.servers = new SharedRead((c) => c.showServersStateAll(), maxAgeMs);
    this.held = new SharedRead((c) => c.command(HELD_COMMAND), maxAgeMs);
  }

  /** `show stat` of every proxy and server. */
  showStat(): Promise<StatRecord[]> {
    return this.stats.get(this.client());
  }

  /** `show stat` of frontends and backends only: a sample's traffic, without a row per replica to read and parse. */
  proxyStat(): Promise<StatRecord[]> {
    return this.proxyStats.get(this.client());
  }

  /** `show servers state` of one backend, from the answer for all of them. */
  async serversState(backend: string): Promise<ServerState[]> {
    return (await this.servers.get(this.client())).filter((server) => server.backend === backend);
  }

  /** The raw answer of HELD_COMMAND (every backend's count; parseHeld picks one). */
  heldAnswer(): Promise<string> {
    return this.held.get(this.client());
  }
}
