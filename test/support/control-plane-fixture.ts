// Starts a real control plane (real HAProxy, real Docker or processes) on free ports in a temp folder, and
// runs bounded load against its frontend, for the integration tests.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Dockerode from 'dockerode';
import { createControlPlane } from '../../electron/core/compose-control-plane.js';
import type { ControlPlane } from '../../electron/core/control-plane.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import type { SettingsPatch } from '../../electron/settings-schema.js';
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

export interface LoadReport {
  /** Requests sent: every one either answered or failed (a timeout or a cut connection counts in `errors`). */
  issued: number;
  /** Answered with a 2xx status: every request was answered when this equals `issued`. */
  ok2xx: number;
  requests: number;
  non2xx: number;
  errors: number;
  hosts: Set<string>;
}

export interface LoadRun {
  done: Promise<LoadReport>;
  stop(): void;
  /** Responses and errors so far, and whether the run has ended. */
  progress(): { answered: number; finished: boolean };
}

/** A bounded autocannon run (rate x duration requests at most) that also records which replica answered. */
/** Waits for a GET and a POST load run side by side, logs their counts under `label`, and answers both. */
export async function finishLoads(loads: LoadRun[], label: string) {
  const [get, post] = (await Promise.all(loads.map((l) => l.done))) as [Awaited<LoadRun['done']>, Awaited<LoadRun['done']>];
  const line = (name: string, r: typeof get) => `${name} ${r.requests} requests, non-2xx ${r.non2xx}, errors ${r.errors}, hosts ${r.hosts.size}`;
  console.log(`[${label}] ${line('GET', get)}; ${line('POST 64 KiB', post)}`);
  return { get, post };
}

export function runLoad(options: { url: string; rate: number; durationS: number; method?: 'GET' | 'POST'; body?: Buffer; connections?: number }): LoadRun {
  const hosts = new Set<string>();
  let requests = 0;
  let non2xx = 0;
  let errors = 0;
  const instance = autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    body: options.body,
    headers: options.body ? { 'content-type': 'application/octet-stream' } : undefined,
    connections: options.connections ?? 10,
    overallRate: options.rate,
    duration: options.durationS,
    amount: options.rate * options.durationS,
    timeout: 10,
    setupClient: (client) => {
      (client as NodeJS.EventEmitter).on('body', (body: Buffer) => {
        try {
          const host = (JSON.parse(body.toString('utf8')) as { host?: string }).host;
          if (host) hosts.add(host);
        } catch {
          // Not JSON: a proxy error page; counted as non-2xx through its status.
        }
      });
    },
  });
  instance.on('response', (_client, statusCode) => {
    requests += 1;
    if (statusCode < 200 || statusCode > 299) non2xx += 1;
  });
  instance.on('reqError', () => {
    errors += 1;
  });
  let finished = false;
  const done = new Promise<LoadReport>((resolve) => instance.on('done', () => {
    finished = true;
    resolve({ issued: requests + errors, ok2xx: requests - non2xx, requests, non2xx, errors, hosts });
  }));
  return { done, stop: () => instance.stop(), progress: () => ({ answered: requests + errors, finished }) };
}
