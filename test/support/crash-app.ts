// The real app (headless shell) on a data folder of its own for kill -9 tests: start, kill at a chosen moment, restart,
// and see what it tracks beside what the engine and HAProxy hold.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import type { Snapshot } from '../../electron/contract/contract.js';
import { APP_LABEL } from '../../electron/core/replicas/replica-driver.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import type { SettingsPatch } from '../../electron/contract/settings-schema.js';
import { DEFAULT_BACKEND } from '../../haproxy/config.js';
import { RuntimeClient } from '../../haproxy/runtime-client.js';
import type { ServerState } from '../../haproxy/stat.js';
import { call, killShell, startShell, stopShell, type Shell } from './headless-process.js';
import { freePort } from './waiting.js';

export interface CrashApp {
  dataDir: string;
  app: string;
  frontend: string;
  shell: Shell;
  snapshot(): Promise<Snapshot>;
  /** kill -9 of the app's process group; HAProxy and the replicas are left as they are. */
  kill(): Promise<void>;
  /** A new app on the same data folder and app label, as a user restarting it would. */
  restart(): Promise<void>;
  servers(): Promise<ServerState[]>;
  /** The pid of the HAProxy worker serving now (a reload starts a new one). */
  workerPid(): Promise<string>;
  /** Every container, running or not, carrying this app's label. */
  containers(): Promise<Dockerode.ContainerInfo[]>;
  /** Quits the app (it stops HAProxy and the replicas), then removes what a failed test may have left. */
  dispose(): Promise<void>;
}

export async function startCrashApp(settings: SettingsPatch, desired: number): Promise<CrashApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scaledeck-crash-op-'));
  const app = `crash${Math.random().toString(16).slice(2, 8)}`;
  const store = new SettingsStore(dataDir);
  store.update({ frontendPort: await freePort(), statsPort: await freePort(), mode: 'manual', minReplicas: 1, maxReplicas: 5, ...settings });
  store.setDesired(desired);
  const docker = new Dockerode();
  const client = new RuntimeClient(path.join(dataDir, 'haproxy.sock'));
  const crash: CrashApp = {
    dataDir,
    app,
    frontend: `http://127.0.0.1:${store.settings.frontendPort}/`,
    shell: await startShell(dataDir, app),
    snapshot: async () => (await call(crash.shell, 'GET', '/api/snapshot')).json,
    kill: () => killShell(crash.shell),
    restart: async () => {
      crash.shell = await startShell(dataDir, app);
    },
    servers: () => client.showServersState(DEFAULT_BACKEND),
    workerPid: async () => (await client.showInfo()).Pid ?? '',
    containers: () => docker.listContainers({ all: true, filters: { label: [`${APP_LABEL}=${app}`] } }),
    dispose: async () => {
      // A test that failed between the kill and the restart leaves HAProxy and replicas with no app: one more start
      // adopts them, so that its quit stops them.
      if (crash.shell.child.exitCode !== null || crash.shell.child.signalCode !== null) {
        crash.shell = await startShell(dataDir, app).catch(() => crash.shell);
      }
      await stopShell(crash.shell);
      stopLeftoverHaproxy(dataDir);
      const leftovers = await crash.containers().catch(() => []);
      await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return crash;
}

/** The HAProxy master this data folder's pid file names, if it still runs on this folder's config. */
function stopLeftoverHaproxy(dataDir: string): void {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'haproxy.pid'), 'utf8').trim());
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir)) process.kill(pid, 'SIGTERM');
  } catch {
    // No pid file or no such process: nothing left.
  }
}
