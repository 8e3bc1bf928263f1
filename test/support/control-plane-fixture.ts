// Starts a real control plane (real HAProxy, real Docker or processes) on free ports in a temp folder, and
// runs bounded load against its frontend, for the integration tests.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { createControlPlane } from '../../electron/core/compose-control-plane.js';
import type { ControlPlane } from '../../electron/core/control-plane.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import type { SettingsPatch } from '../../electron/contract/settings-schema.js';
import { APP_LABEL } from '../../electron/core/replicas/replica-driver.js';
import { freePort, waitFor } from './waiting.js';

export const repoPaths = { apiDockerfile: path.resolve('api/Dockerfile'), apiServerJs: path.resolve('dist/api/server.js') };

export { freePort, waitFor };

export interface PlaneFixture {
  plane: ControlPlane;
  dataDir: string;
  app: string;
  frontend: string;
  ready(): number;
  stop(): Promise<void>;
}

/** Writes settings into a fresh data folder (as a returning user would have them), then starts the control plane. */
export async function startPlane(settings: SettingsPatch, options: { dataDir?: string; app?: string; desired?: number } = {}): Promise<PlaneFixture> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'scaledeck-it-'));
  const app = options.app ?? `it${Math.random().toString(16).slice(2, 8)}`;
  if (!options.dataDir) {
    const store = new SettingsStore(dataDir);
    const [frontendPort, statsPort] = [await freePort(), await freePort()];
    store.update({ frontendPort, statsPort, mode: 'manual', minReplicas: 1, maxReplicas: 8, sampleIntervalMs: 500, ...settings });
    if (options.desired !== undefined) store.setDesired(options.desired);
  }
  const plane = await createControlPlane({ dataDir, paths: repoPaths, app, log: process.env.SCALEDECK_TEST_LOG ? (line) => console.log(line) : undefined });
  const ready = () => plane.snapshot().replicas.filter((r) => r.state === 'ready').length;
  return {
    plane,
    dataDir,
    app,
    frontend: plane.frontendUrl(),
    ready,
    stop: async () => {
      await plane.shutdown({ keepRunning: false });
      await removeLeftoverContainers(app);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Whatever a failed test left behind for this app label; the app's own shutdown normally removes it all. */
export async function removeLeftoverContainers(app: string): Promise<void> {
  const docker = new Dockerode();
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${APP_LABEL}=${app}`] } }).catch(() => []);
  await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

/** Sends `tries` GETs to the frontend; every one must answer 200. Which replicas answered (their `host`). */
export async function hostsThroughFrontend(frontend: string, tries: number): Promise<Set<string>> {
  const hosts = new Set<string>();
  for (let i = 0; i < tries; i++) {
    const response = await fetch(frontend, { signal: AbortSignal.timeout(2000) });
    if (response.status !== 200) throw new Error(`frontend answered ${response.status}`);
    hosts.add(((await response.json()) as { host: string }).host);
  }
  return hosts;
}

export { expectEveryRequestAnswered, finishLoads, loadLine, runLoad, type LoadReport, type LoadRun } from './load-run.js';
