// Runs the headless shell (`node dist/electron/shells/headless/server.js`) as a child process on free ports in a temp folder, and
// talks to it over its HTTP API as a user's script would; stopping it removes everything it left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import type { Sample, Snapshot } from '../../electron/contract/contract.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import type { SettingsPatch } from '../../electron/contract/settings-schema.js';
import { APP_LABEL } from '../../electron/core/replicas/replica-driver.js';
import { ProcessDriver } from '../../electron/core/replicas/process-driver.js';
import { configPath } from '../../haproxy/config.js';
import { endProcesses, processesRunningConfig } from '../../haproxy/process-table.js';
import { benchPaths } from './bench-paths.js';
import { onTeardown } from './teardown.js';
import { freePort, sleep, waitFor } from '../support/waiting.js';

export { freePort, sleep, waitFor };

/** A short temp folder: HAProxy's runtime socket path inside it must stay under 108 bytes. */
export function benchTempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'sdb-'));
}

/** Removes the containers carrying an app label; the benchmark's apps are unique per run, so nothing else matches. */
export async function removeContainersOf(app: string): Promise<void> {
  const docker = new Dockerode();
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${APP_LABEL}=${app}`] } }).catch(() => []);
  await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

/** Ends the HAProxy running a data folder's config, if one is left. */
export async function stopHaproxyOf(dataDir: string): Promise<void> {
  const config = configPath(dataDir);
  await endProcesses(await processesRunningConfig(config), config, 'SIGTERM', 3_000);
}

export interface ShellOptions {
  /** The scaledeck.app label of its replicas; unique per benchmark run. */
  app: string;
  /** Written into the settings file before the start, as a returning user would have them. */
  settings: SettingsPatch;
  desired?: number;
  /** Extra node flags, e.g. `--cpu-prof` to profile the shell. */
  nodeArgs?: string[];
}

export class HeadlessShell {
  private output: string[] = [];
  private exited: Promise<number | null>;
  private readonly release: () => Promise<void>;
  /** When the process was spawned (epoch ms): a --cpu-prof profile starts about then. */
  readonly spawnedAt = Date.now();

  private constructor(
    readonly child: ChildProcess,
    readonly origin: string,
    readonly token: string,
    readonly dataDir: string,
    readonly app: string,
    readonly frontend: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
      if (this.output.length > 40) this.output.splice(0, this.output.length - 40);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.release = onTeardown(`the headless shell in ${dataDir}`, () => this.halt());
  }

  static async start(options: ShellOptions): Promise<HeadlessShell> {
    const dataDir = benchTempDir();
    const [port, frontendPort, statsPort] = [await freePort(), await freePort(), await freePort()];
    const store = new SettingsStore(dataDir);
    store.update({ frontendPort, statsPort, ...options.settings });
    if (options.desired !== undefined) store.setDesired(options.desired);
    const token = randomBytes(18).toString('base64url');
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), benchPaths.serverJs, '--port', String(port), '--data-dir', dataDir], {
      env: { ...process.env, SCALEDECK_TOKEN: token, SCALEDECK_APP: options.app, SCALEDECK_QUIET: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const shell = new HeadlessShell(child, `http://127.0.0.1:${port}`, token, dataDir, options.app, `http://127.0.0.1:${frontendPort}/`);
    let gone = false;
    void shell.exited.then(() => {
      gone = true;
    });
    try {
      const state = await waitFor(async () => {
        if (gone) return 'exited';
        return (await shell.snapshot()).haproxy.running ? 'serving' : null;
      }, 30_000, 'the headless shell to serve its API with HAProxy running', 100);
      if (state === 'exited') throw new Error(`The headless shell exited during its start: ${shell.output.join(' | ') || 'no output'}`);
    } catch (error) {
      await shell.stop();
      throw error;
    }
    return shell;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('The headless shell has no pid: it did not start');
    return this.child.pid;
  }

  async request<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(this.origin + route, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  snapshot(): Promise<Snapshot> {
    return this.request<Snapshot>('GET', '/api/snapshot');
  }

  history(): Promise<Sample[]> {
    return this.request<Sample[]>('GET', '/api/history');
  }

  scale(replicas: number): Promise<{ desired: number }> {
    return this.request('POST', '/api/scale', { replicas });
  }

  setMode(mode: 'auto' | 'manual'): Promise<{ mode: string }> {
    return this.request('POST', '/api/mode', { mode });
  }

  /** Waits until exactly `count` replicas exist and all of them are ready; returns the snapshot that showed it. */
  waitForReplicas(count: number, timeoutMs: number): Promise<Snapshot> {
    return waitFor(async () => {
      const snapshot = await this.snapshot();
      const ready = snapshot.replicas.filter((r) => r.state === 'ready').length;
      return ready === count && snapshot.replicas.length === count ? snapshot : null;
    }, timeoutMs, `${count} ready replicas`, 100);
  }

  /** Stops the shell as a person would (SIGTERM drains and stops replicas and HAProxy), then removes what is left. */
  async stop(): Promise<void> {
    await this.release();
  }

  private async halt(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const code = await Promise.race([this.exited, sleep(60_000).then(() => 'timeout' as const)]);
      if (code === 'timeout') {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    await removeContainersOf(this.app);
    const processes = new ProcessDriver({ app: this.app, dataDir: path.join(this.dataDir, 'replicas'), serverScript: benchPaths.apiServerJs });
    for (const replica of await processes.list()) await processes.remove(replica.id, 0).catch(() => undefined);
    await stopHaproxyOf(this.dataDir);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
