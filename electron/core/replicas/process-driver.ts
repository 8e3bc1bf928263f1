// Replicas as local child processes of the api server: for machines without Docker and for fast tests; pid files let a restarted app adopt them.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { access, chmod, copyFile, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pidusage from 'pidusage';
import { ProcUsage, type ProcessUsage } from './proc-usage.js';
import { ProcessIdentity } from './process-identity.js';
import { replicaEnvironment } from './replica-environment.js';
import { generationOf } from './generation.js';
import type { DriverStatus, ObservedReplica, ReplicaDriver, ReplicaSpec, ReplicaStats } from './replica-driver.js';
import { assertAppName } from './engine-errors.js';
import { pollUntil, systemClock } from '../clock.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../private-data-folder.js';

const execFileAsync = promisify(execFile);
const POLL_MS = 50;
const HAS_PROC = existsSync('/proc/self/cmdline');
/** After SIGKILL the kernel needs a moment to tear the process down. */
const KILL_WAIT_MS = 5_000;
/**
 * Replicas run this copy of the api server, kept in the data folder: a packaged app's own files move on every launch
 * (an AppImage is mounted at a new path each run), and adoption recognises a replica by the script it runs.
 * `.mjs`, because the data folder has no package.json saying the script is an ES module.
 */
export const STABLE_SERVER_NAME = 'api-server.mjs';

export interface ProcessDriverOptions {
  app: string;
  /** The app's data folder; pid files and logs go to `<dataDir>/replicas`. */
  dataDir: string;
  /** The compiled api server (dist/api/server.js). */
  serverScript: string;
  /** Defaults to this process's executable; with ELECTRON_RUN_AS_NODE even Electron's runs plain Node. */
  nodeBinary?: string;
  /** A service after the first: carried in its replicas' names, which HAProxy's servers take. */
  service?: string;
}

/** What a replica's pid file records, so any later instance of the app can find and check the process. */
export interface ReplicaPidFile {
  pid: number;
  port: number;
  name: string;
  startedAt: number;
  app: string;
  /** Absent in pid files written before generations existed. */
  generation?: string;
  healthPath?: string;
}

function isPidFile(value: unknown): value is ReplicaPidFile {
  const file = value as Partial<ReplicaPidFile> | null;
  return (
    typeof file === 'object' &&
    file !== null &&
    Number.isInteger(file.pid) &&
    Number.isInteger(file.port) &&
    typeof file.name === 'string' &&
    typeof file.startedAt === 'number' &&
    typeof file.app === 'string'
  );
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/** Signals a process that may have exited a moment ago; that is not an error. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export class ProcessDriver implements ReplicaDriver {
  readonly kind = 'process' as const;
  private readonly app: string;
  private readonly dir: string;
  private readonly serverScript: string;
  /** The copy of serverScript that replicas run; see STABLE_SERVER_NAME. */
  private readonly runScript: string;
  private readonly nodeBinary: string;
  private copying: Promise<void> | null = null;
  /** Asked once: status() is polled, and the binary does not change under a running app. */
  private nodeVersion: string | undefined;
  /**
   * Pid files already read, by path. A pid file is written once (whole, then renamed) when its replica starts and only
   * removed after, so its record never changes: read every tick and every sample, 100 replicas cost a tenth of a core.
   * Whether the process still runs is still asked each time.
   */
  private readonly records = new Map<string, ReplicaPidFile>();
  private readonly service: string | undefined;
  /** Where there is a /proc; pidusage elsewhere. */
  private readonly procUsage = HAS_PROC ? new ProcUsage() : null;
  /** Where there is a /proc; `ps` elsewhere. */
  private readonly identity = HAS_PROC ? new ProcessIdentity((args) => this.isOurCommandLine(args)) : null;

  constructor(options: ProcessDriverOptions) {
    assertAppName(options.app);
    this.app = options.app;
    this.service = options.service;
    this.dir = join(options.dataDir, 'replicas');
    this.serverScript = resolve(options.serverScript);
    this.runScript = join(resolve(this.dir), STABLE_SERVER_NAME);
    this.nodeBinary = options.nodeBinary ?? process.execPath;
  }

  async status(): Promise<DriverStatus> {
    try {
      await access(this.serverScript);
    } catch {
      return { reachable: false, version: null, error: `The api server ${this.serverScript} is missing: build it with \`npm run build:node\`` };
    }
    try {
      this.nodeVersion ??= (
        await execFileAsync(this.nodeBinary, ['--version'], { timeout: 10_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } })
      ).stdout.trim();
      return { reachable: true, version: `node ${this.nodeVersion}` };
    } catch (error) {
      return { reachable: false, version: null, error: `Cannot run ${this.nodeBinary} (${(error as Error).message.split('\n')[0]}): install Node 20 or set the node binary` };
    }
  }

  private pidFilePath(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  private async readPidFile(path: string): Promise<ReplicaPidFile | null> {
    const known = this.records.get(path);
    if (known) return known;
    try {
      const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (!isPidFile(parsed)) return null;
      this.records.set(path, parsed);
      return parsed;
    } catch {
      // Missing, or half-written by a crashed app: either way there is nothing to adopt.
      return null;
    }
  }

  /** Replicas started before the stable copy existed ran the app's own script, and are still ours. */
  private isOurCommandLine(args: string[]): boolean {
    return args.includes(this.runScript) || args.includes(this.serverScript);
  }

  /** Alive AND running our server, from its command line: a pid number alone may have been reused by an unrelated process. */
  private async isOurProcess(pid: number): Promise<boolean> {
    if (this.identity) return this.identity.confirm(pid);
    try {
      process.kill(pid, 0);
      return this.isOurCommandLine((await execFileAsync('ps', ['-o', 'command=', '-p', String(pid)])).stdout.trim().split(/\s+/));
    } catch {
      return false;
    }
  }

  async list(): Promise<ObservedReplica[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const replicas: ObservedReplica[] = [];
    const present = new Set(names.map((name) => join(this.dir, name)));
    for (const path of this.records.keys()) if (!present.has(path)) this.records.delete(path);
    for (const file of names.filter((name) => name.endsWith('.json')).sort()) {
      const record = await this.readPidFile(join(this.dir, file));
      if (!record || record.app !== this.app || `${record.name}.json` !== file) continue;
      replicas.push({
        id: record.name,
        name: record.name,
        host: '127.0.0.1',
        hostPort: record.port,
        startedAt: record.startedAt,
        running: this.identity ? this.identity.stillRunning(record.pid) : await this.isOurProcess(record.pid),
        ...(record.generation ? { generation: record.generation } : {}),
        ...(record.healthPath ? { healthPath: record.healthPath } : {}),
      });
    }
    return replicas;
  }

  /** The spec's image and containerPort do not apply (the script is fixed, the port is free one); its limits are only a yardstick for stats. */
  async create(spec: ReplicaSpec): Promise<ObservedReplica> {
    if (!existsSync(this.serverScript)) {
      throw new Error(`The api server ${this.serverScript} is missing: build it with \`npm run build:node\``);
    }
    await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    await this.refreshStableCopy();
    const name = `proc-${this.app}-${this.service ? `${this.service}-` : ''}${randomBytes(3).toString('hex')}`;
    const port = await freePort();
    const log = openSync(join(this.dir, `${name}.log`), 'a', PRIVATE_FILE_MODE);
    let pid: number | undefined;
    try {
      const child = spawn(this.nodeBinary, [this.runScript], {
        // Its own process group: the replica keeps serving when the app (or its whole process tree) dies.
        detached: true,
        stdio: ['ignore', log, log],
        env: replicaEnvironment(process.env, { PORT: String(port), HOST: '127.0.0.1', API_HOST_NAME: name, ELECTRON_RUN_AS_NODE: '1' }),
      });
      await new Promise<void>((resolveSpawn, reject) => {
        child.once('spawn', resolveSpawn);
        child.once('error', reject);
      });
      child.unref();
      pid = child.pid;
    } catch (error) {
      throw new Error(`could not start ${this.nodeBinary} ${this.runScript}: ${(error as Error).message}`);
    } finally {
      closeSync(log);
    }
    if (pid === undefined) throw new Error(`${this.nodeBinary} started without a pid`);
    const record: ReplicaPidFile = { pid, port, name, startedAt: Date.now(), app: this.app, generation: generationOf(spec), healthPath: spec.healthPath };
    // Written whole then renamed, so a crash never leaves a half-written pid file behind.
    const path = this.pidFilePath(name);
    await writeFile(`${path}.tmp`, JSON.stringify(record), { mode: PRIVATE_FILE_MODE });
    await rename(`${path}.tmp`, path);
    return { id: name, name, host: '127.0.0.1', hostPort: port, startedAt: record.startedAt, running: true, generation: record.generation, healthPath: spec.healthPath };
  }

  /**
   * Copies the app's api server into the data folder when the copy is missing or differs (the app was updated).
   * Replicas created together share one copy in flight: two copies would rename the same temporary file.
   */
  private refreshStableCopy(): Promise<void> {
    this.copying ??= this.copyServerScript().finally(() => {
      this.copying = null;
    });
    return this.copying;
  }

  private async copyServerScript(): Promise<void> {
    const [source, copy] = await Promise.all([readFile(this.serverScript), readFile(this.runScript).catch(() => null)]);
    if (copy?.equals(source)) return;
    // Copied beside, then renamed: a replica starting at this moment reads the old file or the new one, never half of one.
    const temporary = `${this.runScript}.${process.pid}.tmp`;
    await copyFile(this.serverScript, temporary);
    // A copy takes the source's mode; the data folder's files are the owner's only.
    await chmod(temporary, PRIVATE_FILE_MODE);
    await rename(temporary, this.runScript);
  }

  private waitUntilGone(pid: number, ms: number): Promise<boolean> {
    return pollUntil<boolean>(systemClock, async () => ((await this.isOurProcess(pid)) ? { waiting: 'running' } : { done: true }), {
      timeoutMs: ms, intervalMs: POLL_MS, describe: () => 'still running',
    }).catch(() => false);
  }

  async remove(id: string, graceS: number): Promise<void> {
    // The id names a file in our folder; anything else must not reach the file system.
    if (!/^proc-[a-z0-9-]+$/i.test(id)) throw new Error(`"${id}" is not a process replica id`);
    const record = await this.readPidFile(this.pidFilePath(id));
    if (record && record.app !== this.app) throw new Error(`refusing to remove ${id}: it belongs to app "${record.app}", not "${this.app}"`);
    if (record) this.procUsage?.forget(record.pid);
    if (record && (await this.isOurProcess(record.pid))) {
      signal(record.pid, 'SIGTERM');
      if (!(await this.waitUntilGone(record.pid, graceS * 1000))) {
        signal(record.pid, 'SIGKILL');
        if (!(await this.waitUntilGone(record.pid, KILL_WAIT_MS))) {
          throw new Error(`replica ${id} (pid ${record.pid}) survived SIGKILL: check it with \`ps -p ${record.pid}\``);
        }
      }
    }
    if (record) this.identity?.forget(record.pid);
    await rm(this.pidFilePath(id), { force: true });
    this.records.delete(this.pidFilePath(id));
    await rm(join(this.dir, `${id}.log`), { force: true });
  }

  async stats(id: string, spec: ReplicaSpec): Promise<ReplicaStats> {
    const record = await this.readPidFile(this.pidFilePath(id));
    const notRunning = () => new Error(`replica ${id} is not running: it has no stats`);
    if (!record) throw notRunning();
    let usage: { cpuPercent: number; memBytes: number };
    if (this.procUsage && this.identity) {
      // One file: /proc/PID/stat holds the figures and the start time that tells a reused pid apart.
      const reading = this.procUsageOf(record.pid);
      if (!reading || !this.identity.matches(record.pid, reading.identity)) {
        this.procUsage.forget(record.pid);
        throw notRunning();
      }
      usage = reading;
    } else {
      if (!(await this.isOurProcess(record.pid))) throw notRunning();
      usage = await pidusage(record.pid).then((u) => ({ cpuPercent: u.cpu, memBytes: u.memory }));
    }
    // Both report % of one core; dividing by the limit makes it % of the limit, as the docker driver does.
    return { cpuPercent: usage.cpuPercent / spec.cpuLimit, memBytes: usage.memBytes };
  }

  private procUsageOf(pid: number): ProcessUsage | null {
    try {
      return this.procUsage?.read(pid) ?? null;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    pidusage.clear();
  }
}
