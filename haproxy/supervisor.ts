// Runs one detached haproxy (master-worker) for a data folder: starts or adopts it, watches it, reloads and restarts it.
import { EventEmitter } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { configPath, DEFAULT_BACKEND, pidfilePath, serverStatePath, socketPath, type ConfiguredServer } from './config.js';
import { endProcesses, isRunningConfig, processesRunningConfig } from './process-table.js';
import { RuntimeClient } from './runtime-client.js';
import { findHaproxy } from './find-haproxy.js';
import { checkHaproxy } from './version.js';
import { ConfigFile } from './config-file.js';
import { launchMaster, readPidfile } from './launch-master.js';
import { reloadKeepingServers } from './reload-keeping-servers.js';
import type { RequestLogSecret } from './request-log-secret.js';

export interface HaproxySupervisorOptions {
  dataDir: string;
  bin?: string;
  /**
   * Called on every start and reload, so changed settings take effect. Must use the same dataDir and render the
   * given servers into their backends (those the running HAProxy has, carried across a reload; each names its
   * backend), and the request log secret when one is given.
   */
  renderConfig: (servers: ConfiguredServer[], requestLogSecret?: string) => string;
  /** Each start and reload gets a fresh secret for the request log lines, committed here. */
  requestLogSecret?: RequestLogSecret;
  /** The one backend whose servers a reload carries across, when `backends` is not given. */
  backend?: string;
  /**
   * The backends of the config a reload is about to render, asked at each reload: their servers are carried across,
   * those of a backend not in it (a removed service) are dropped. Default: `[backend]`.
   */
  backends?: () => string[];
  /** The closing ACL the rendered config names (config.ts closingAcl), used by a reload to end keep-alive first. */
  closingAcl?: string;
  checkIntervalMs?: number;
  /** How long a start may take until the runtime socket answers. */
  startTimeoutMs?: number;
}

export interface HaproxySupervisorEvents {
  /** HAProxy stopped serving on its own; a restart follows. */
  down: [reason: string];
  /** A new HAProxy serves with an empty backend: every ready replica must be registered again. */
  restarted: [];
  /** The config was reloaded in place: same listening sockets, same servers, new settings. */
  reloaded: [];
  /** A restart after 'down' failed; it is tried again with a growing delay (at most 30 s). */
  'restart-failed': [error: Error];
}

// Soft stop waits for open connections; the config's hard-stop-after (10 s) bounds it, this adds a margin.
const SOFT_STOP_GRACE_MS = 12_000;
const MAX_RETRY_DELAY_MS = 30_000;
// One slow answer on a busy machine is not an outage; two in a row are.
const SOCKET_FAILURES_FOR_DOWN = 2;

export class HaproxySupervisor extends EventEmitter<HaproxySupervisorEvents> {
  readonly client: RuntimeClient;
  readonly configPath: string;
  readonly pidfilePath: string;
  private readonly bin: string;
  private readonly config: ConfigFile;
  private readonly checkIntervalMs: number;
  private readonly startTimeoutMs: number;
  private currentVersion: string | null = null;
  private currentPid: number | undefined;
  private isRunning = false;
  private wasAdopted = false;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private generation = 0;
  private busy = false;
  private queue: Promise<unknown> = Promise.resolve();
  private socketFailures = 0;
  private restartFailures = 0;
  private nextRestartAt = 0;

  constructor(private readonly options: HaproxySupervisorOptions) {
    super();
    this.bin = options.bin ?? findHaproxy();
    this.checkIntervalMs = options.checkIntervalMs ?? 500;
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
    this.configPath = configPath(options.dataDir);
    this.pidfilePath = pidfilePath(options.dataDir);
    this.client = new RuntimeClient(socketPath(options.dataDir), 2_000);
    this.config = new ConfigFile({
      bin: this.bin, dataDir: options.dataDir, path: this.configPath, pidfilePath: this.pidfilePath, socketPath: this.client.socketPath,
      render: (servers, secret) => options.renderConfig(servers, secret),
      requestLogSecret: options.requestLogSecret,
    });
  }

  get running(): boolean {
    return this.isRunning;
  }

  get version(): string | null {
    return this.currentVersion;
  }

  /** The master's pid. */
  get pid(): number | undefined {
    return this.currentPid;
  }

  get socketPath(): string {
    return this.client.socketPath;
  }

  /** True when start() found HAProxy already serving this data folder and took it over. */
  get adopted(): boolean {
    return this.wasAdopted;
  }

  /** Adopts the HAProxy already serving this data folder, or starts one; resolves once its socket answers. */
  async start(): Promise<void> {
    await this.serially(async () => {
      this.currentVersion = await checkHaproxy(this.bin);
      await mkdir(this.options.dataDir, { recursive: true });
      if (!(await this.adopt())) await this.launch();
    });
    this.watch();
  }

  /**
   * Starts afresh with a newly rendered config (e.g. the frontend port changed); emits 'restarted'. When the new
   * start fails the watcher keeps trying, as after a crash.
   */
  async restart(): Promise<void> {
    this.unwatch();
    try {
      await this.serially(async () => {
        await this.terminate();
        await this.launch();
      });
    } finally {
      this.watch();
    }
    this.emit('restarted');
  }

  /**
   * Applies a newly rendered config without closing the listening sockets: the master starts a new worker that takes
   * them over (`expose-fd listeners`) and starts with every server the old one had, in the state it had (server-state
   * file), then the old worker finishes its requests. Resolves once the new worker serves with all of them. The config
   * is checked before anything changes; when HAProxy refuses it, this throws and the running one keeps serving.
   * A reload HAProxy cannot complete (an address the old worker still holds) falls back to a restart.
   */
  async reload(): Promise<void> {
    if (!this.isRunning || this.currentPid === undefined) {
      await this.restart();
      return;
    }
    let reloaded = false;
    this.unwatch();
    try {
      reloaded = await this.serially(() => this.reloadInPlace());
    } finally {
      this.watch();
    }
    if (reloaded) this.emit('reloaded');
    else await this.restart();
  }

  /** Throws HAProxy's own words when it would refuse this config text; writes nothing the running HAProxy reads. */
  checkConfig(text: string): Promise<void> {
    return this.config.check(text);
  }

  /** Stops watching and ends HAProxy: a soft stop first, so requests in flight complete. */
  async stop(): Promise<void> {
    this.unwatch();
    await this.serially(() => this.terminate());
    this.client.closeSession();
  }

  /**
   * The config HAProxy runs on differs from what the settings render now (changed while the app was away); the
   * servers a reload carried into it do not count.
   */
  configIsStale(): Promise<boolean> {
    return this.config.isStale();
  }

  /** Stops watching and leaves HAProxy serving, for a later start() to adopt. */
  detach(): void {
    this.unwatch();
    this.client.closeSession();
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      this.busy = true;
      try {
        return await work();
      } finally {
        this.busy = false;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** False when the new worker did not come up; the old one then still serves. */
  private async reloadInPlace(): Promise<boolean> {
    const master = this.currentPid;
    if (master === undefined || !(await isRunningConfig(master, this.configPath))) return false;
    const reloaded = await reloadKeepingServers({
      master, client: this.client, config: this.config, backends: this.options.backends?.() ?? [this.options.backend ?? DEFAULT_BACKEND],
      serverStatePath: serverStatePath(this.options.dataDir), timeoutMs: this.startTimeoutMs, closingAcl: this.options.closingAcl,
    });
    if (reloaded) await this.config.markLoaded();
    return reloaded;
  }

  private async adopt(): Promise<boolean> {
    const pid = await readPidfile(this.pidfilePath);
    if (pid === undefined || !(await isRunningConfig(pid, this.configPath))) return false;
    try {
      await this.client.showInfo();
    } catch {
      return false;
    }
    this.currentPid = pid;
    this.isRunning = true;
    this.wasAdopted = true;
    this.socketFailures = 0;
    return true;
  }

  private async launch(): Promise<void> {
    this.isRunning = false;
    this.currentPid = undefined;
    this.wasAdopted = false;
    this.currentPid = await launchMaster({
      bin: this.bin, dataDir: this.options.dataDir, configPath: this.configPath, pidfilePath: this.pidfilePath,
      config: this.config, client: this.client, timeoutMs: this.startTimeoutMs,
    });
    await this.config.markLoaded();
    this.isRunning = true;
    this.socketFailures = 0;
  }

  /** Ends our HAProxy (master first, then any orphaned worker) and forgets it. */
  private async terminate(): Promise<void> {
    const pid = this.currentPid ?? (await readPidfile(this.pidfilePath));
    if (pid !== undefined && (await isRunningConfig(pid, this.configPath))) {
      await endProcesses([pid], this.configPath, 'SIGUSR1', SOFT_STOP_GRACE_MS);
    }
    await endProcesses(await processesRunningConfig(this.configPath), this.configPath, 'SIGTERM', 2_000);
    await rm(this.pidfilePath, { force: true });
    this.isRunning = false;
    this.currentPid = undefined;
  }

  private watch(): void {
    this.unwatch();
    const generation = this.generation;
    this.timer = setInterval(() => void this.check(generation), this.checkIntervalMs);
  }

  /** Also invalidates a check already under way, so it cannot act after stop(), detach() or restart(). */
  private unwatch(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.generation++;
  }

  private async check(generation: number): Promise<void> {
    if (this.checking || this.busy) return;
    this.checking = true;
    try {
      const problem = await this.problem();
      if (problem !== undefined && generation === this.generation) await this.repair(problem, generation);
    } finally {
      this.checking = false;
    }
  }

  /** Why HAProxy is not serving, or undefined when it is. */
  private async problem(): Promise<string | undefined> {
    if (!this.isRunning) return 'HAProxy is not running';
    const pid = this.currentPid;
    if (pid === undefined || !(await isRunningConfig(pid, this.configPath))) {
      return `the HAProxy master process (pid ${pid}) exited`;
    }
    // The control plane's own commands (several a second) already prove the socket answers; asking again costs a
    // connection on both sides every check.
    if (performance.now() - this.client.lastAnswerAt < this.checkIntervalMs) {
      this.socketFailures = 0;
      return undefined;
    }
    try {
      await this.client.showInfo();
      this.socketFailures = 0;
      return undefined;
    } catch (error) {
      this.socketFailures++;
      return this.socketFailures >= SOCKET_FAILURES_FOR_DOWN ? `its runtime socket stopped answering (${(error as Error).message})` : undefined;
    }
  }

  private async repair(reason: string, generation: number): Promise<void> {
    if (this.isRunning) {
      this.isRunning = false;
      this.emit('down', reason);
    }
    if (Date.now() < this.nextRestartAt) return;
    let launched = false;
    try {
      await this.serially(async () => {
        if (generation !== this.generation) return;
        await this.launch();
        launched = true;
      });
    } catch (error) {
      this.restartFailures++;
      this.nextRestartAt = Date.now() + Math.min(MAX_RETRY_DELAY_MS, this.checkIntervalMs * 2 ** this.restartFailures);
      this.emit('restart-failed', error as Error);
      return;
    }
    if (!launched) return;
    this.restartFailures = 0;
    this.nextRestartAt = 0;
    this.emit('restarted');
  }
}
