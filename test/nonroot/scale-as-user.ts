// Run as a normal user from a login shell: starts the headless shell, scales 1 -> 2 -> 1 through its API, checks the
// answers through the HAProxy frontend, quits with SIGTERM, and checks nothing is left. Exits 0 only when all held.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import type { Snapshot } from '../../electron/contract/contract.js';
import { APP_LABEL } from '../../electron/core/replicas/replica-driver.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { configPath, socketPath } from '../../haproxy/config.js';
import { endProcesses, processesRunningConfig } from '../../haproxy/process-table.js';
import { freePort, sleep, waitFor } from '../support/waiting.js';

const SERVER_JS = path.join(import.meta.dirname, '..', '..', 'electron', 'shells', 'headless', 'server.js');
const app = `nonroot-${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(path.join(homedir(), '.sd-nonroot-'));
const docker = new Dockerode();
const step = (line: string) => console.log(`[as ${process.env.USER ?? process.getuid?.()}] ${line}`);

async function main(): Promise<void> {
  step(`uid ${process.getuid?.()}, PATH=${process.env.PATH}`);
  const [port, frontendPort, statsPort] = [await freePort(), await freePort(), await freePort()];
  // A returning user's settings: the docker driver, manual mode, a short drain so quitting stays bounded.
  new SettingsStore(dataDir).update({ driver: 'docker', mode: 'manual', minReplicas: 1, maxReplicas: 3, frontendPort, statsPort, drainTimeoutS: 10 });
  const token = randomBytes(18).toString('base64url');
  const shell = spawn(process.execPath, [SERVER_JS, '--port', String(port), '--data-dir', dataDir], {
    env: { ...process.env, SCALEDECK_TOKEN: token, SCALEDECK_APP: app },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  shell.stdout.on('data', keep);
  shell.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => shell.once('exit', (code) => resolve(code)));
  try {
    const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
      if (shell.exitCode !== null) throw new Error(`the headless shell exited (${shell.exitCode}): ${output.slice(-5).join(' | ')}`);
      const response = await fetch(`http://127.0.0.1:${port}${route}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
      return JSON.parse(text) as T;
    };
    const started = await waitFor(async () => {
      const snapshot = await api<Snapshot>('GET', '/api/snapshot');
      return snapshot.haproxy.running ? snapshot : null;
    }, 60_000, 'the headless shell to run HAProxy', 200);
    step(`HAProxy ${started.haproxy.version} running; Docker reachable: ${started.docker.reachable}; driver ${started.settings.driver}`);
    if (!started.docker.reachable) throw new Error('Docker is not reachable for this user (is it in the docker group?)');

    for (const count of [1, 2, 1]) {
      await api('POST', '/api/scale', { replicas: count });
      await waitFor(async () => {
        const snapshot = await api<Snapshot>('GET', '/api/snapshot');
        return snapshot.replicas.length === count && snapshot.replicas.every((r) => r.state === 'ready');
      }, 120_000, `${count} ready replicas`, 200);
      const hosts = await hostsBehindFrontend(frontendPort, 12);
      step(`scaled to ${count}: the frontend answered 12 of 12 requests from ${hosts.size} replica(s)`);
      if (hosts.size !== count) throw new Error(`expected answers from ${count} replicas through the frontend, got ${hosts.size}`);
    }

    shell.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(90_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') throw new Error('the headless shell did not exit within 90 s of SIGTERM');
    if (code !== 0) throw new Error(`the headless shell exited with code ${code} after SIGTERM: ${output.slice(-5).join(' | ')}`);
    const containers = await docker.listContainers({ all: true, filters: { label: [`${APP_LABEL}=${app}`] } });
    const haproxies = await processesRunningConfig(configPath(dataDir));
    step(`quit: exit code 0; ${containers.length} container(s) and ${haproxies.length} haproxy process(es) left; socket ${existsSync(socketPath(dataDir)) ? 'left' : 'gone'}`);
    if (containers.length > 0 || haproxies.length > 0) throw new Error('the quit left replicas or HAProxy running');
    step('NONROOT PATH OK');
  } finally {
    if (shell.exitCode === null) {
      shell.kill('SIGKILL');
      await exited;
    }
    await cleanUp();
  }
}

/** Sends `count` sequential GETs to the frontend and answers the set of replica host names that served them. */
async function hostsBehindFrontend(frontendPort: number, count: number): Promise<Set<string>> {
  const hosts = new Set<string>();
  for (let i = 0; i < count; i++) {
    const response = await fetch(`http://127.0.0.1:${frontendPort}/`, { signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) throw new Error(`the frontend answered ${response.status} to request ${i + 1}`);
    hosts.add(((await response.json()) as { host: string }).host);
  }
  return hosts;
}

/** Whatever a failed run left: this run's labelled containers, its haproxy, its data folder. */
async function cleanUp(): Promise<void> {
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${APP_LABEL}=${app}`] } }).catch(() => []);
  await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  const config = configPath(dataDir);
  await endProcesses(await processesRunningConfig(config), config, 'SIGTERM', 3_000);
  rmSync(dataDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`NONROOT PATH FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
