// The controller's LoadBalancer over HAProxy's runtime API: one backend, servers added, drained and removed live.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DEFAULT_BACKEND } from '../../../haproxy/config.js';
import { parseHeld } from '../../../haproxy/request-hold.js';
import type { RuntimeClient } from '../../../haproxy/runtime-client.js';
import { SharedRuntimeReads } from '../../../haproxy/shared-reads.js';
import type { LoadBalancer, ServerView } from './load-balancer.js';
import type { TrafficStats } from '../metrics/sampler.js';
import { PRIVATE_FILE_MODE } from '../private-data-folder.js';

export const BACKEND_NAME = DEFAULT_BACKEND;

/**
 * Each server's health path, mirrored into the map file so a reloaded HAProxy reads them back with its servers. One per
 * file, shared by every backend whose servers it checks (server names are unique across services).
 */
export class HealthPathFile {
  private readonly paths = new Map<string, string>();

  constructor(readonly file: string) {
    // An earlier run's entries: its servers are still in HAProxy and adopted, never added again.
    for (const [name, path] of readFileSync(file, 'utf8').split('\n').map((line) => line.split(' '))) if (name && path) this.paths.set(name, path);
  }

  set(name: string, path: string): void {
    this.paths.set(name, path);
    this.write();
  }

  delete(name: string): void {
    this.paths.delete(name);
    this.write();
  }

  private write(): void {
    writeFileSync(`${this.file}.tmp`, [...this.paths].map(([name, path]) => `${name} ${path}\n`).join(''), { mode: PRIVATE_FILE_MODE });
    renameSync(`${this.file}.tmp`, this.file);
  }
}

export class HaproxyBackend implements LoadBalancer {
  private readonly healthPaths: HealthPathFile | undefined;
  private readonly healthPathMap: string | undefined;

  constructor(
    private readonly client: () => RuntimeClient,
    private readonly backend = BACKEND_NAME,
    /** The map the config checks each server's own health path in (config.ts healthPathMap), when it has one. */
    healthPathMap?: string | HealthPathFile,
    /** Seconds over which a server entering rotation ramps up its traffic (the slowStartS setting). */
    private readonly slowStartS: () => number = () => 0,
    /** The reads every service's backend shares (one `show stat` a tick for all); its own when it is the only one. */
    private readonly reads = new SharedRuntimeReads(client),
  ) {
    this.healthPaths = typeof healthPathMap === 'string' ? new HealthPathFile(healthPathMap) : healthPathMap;
    this.healthPathMap = this.healthPaths?.file;
  }

  async servers(): Promise<ServerView[]> {
    const states = await this.reads.serversState(this.backend);
    return states.map((s) => ({
      name: s.name,
      address: s.address,
      port: s.port,
      // 'starting' is a server passing its checks while slowstart ramps its weight: it serves already.
      up: (s.operational === 'running' || s.operational === 'starting') && !s.maint,
      draining: s.drain,
      maint: s.maint,
    }));
  }

  async add(name: string, host: string, port: number, healthPath?: string, { inRotation = true }: { inRotation?: boolean } = {}): Promise<void> {
    const client = this.client();
    // Before the server exists, so its very first check already goes to its own path.
    if (this.healthPathMap && healthPath) {
      await client.setMapEntry(this.healthPathMap, name, healthPath);
      this.healthPaths!.set(name, healthPath);
    }
    await client.addServer(this.backend, name, host, port, { checkInterMs: 1000, slowStartS: this.slowStartS() });
    await client.enableHealth(this.backend, name);
    // drain, not maint: health checks go on, so a spare is known UP before it is asked to serve.
    await client.setState(this.backend, name, inRotation ? 'ready' : 'drain');
  }

  async drain(name: string): Promise<void> {
    await this.client().setState(this.backend, name, 'drain');
  }

  async ready(name: string, { rampUp = false }: { rampUp?: boolean } = {}): Promise<void> {
    const client = this.client();
    // slowstart ramps a server leaving maint, not one leaving drain (checked on 2.6.12). A spare carries no request,
    // so passing it through maint for a moment costs nothing and gives it the ramp a new server gets.
    if (rampUp && this.slowStartS() > 0) await client.setState(this.backend, name, 'maint');
    await client.setState(this.backend, name, 'ready');
  }

  async sessions(name: string): Promise<number | null> {
    const row = (await this.reads.showStat()).find((r) => r.proxy === this.backend && r.server === name);
    return row ? row.scur + row.qcur : null;
  }

  async remove(name: string, timeoutMs: number): Promise<void> {
    await this.client().removeServer(this.backend, name, { timeoutMs });
    if (this.healthPathMap) {
      await this.client().deleteMapEntry(this.healthPathMap, name);
      this.healthPaths!.delete(name);
    }
  }

  async heldRequests(): Promise<number> {
    return parseHeld(await this.reads.heldAnswer(), this.backend);
  }

  /**
   * The backend's counters, for the metrics sampler: its requests are this service's alone, whichever frontend they
   * came through (its own, or its route on the shared one, whose rate mixes every routed service's).
   */
  async traffic(): Promise<TrafficStats> {
    // A HAProxy started before the hold existed has no such command: the count is then unknown, not an error.
    const [rows, held] = await Promise.all([this.reads.proxyStat(), this.heldRequests().catch(() => null)]);
    const backend = rows.find((r) => r.proxy === this.backend && r.kind === 'backend');
    return {
      requestsTotal: backend?.requestsTotal ?? 0,
      sessions: backend?.scur ?? 0,
      queue: backend?.qcur ?? 0,
      held,
      http5xxTotal: backend?.hrsp5xx ?? 0,
      responseTimeMs: backend?.rtime ?? 0,
    };
  }
}
