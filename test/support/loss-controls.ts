// What the negative controls do from outside ScaleDeck to break a "no request dropped" mechanism: kill replicas
// without a drain (engine, signals) and reload HAProxy without carrying its runtime-added servers across (files, master).
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import Dockerode from 'dockerode';
import { configPath, pidfilePath, serverStatePath, socketPath } from '../../haproxy/config.js';
import { RuntimeClient } from '../../haproxy/runtime-client.js';
import { waitFor } from './waiting.js';

/** SIGKILLs containers at once, as a script that stops replicas without a drain does. */
export async function killContainers(ids: string[]): Promise<void> {
  const docker = new Dockerode();
  await Promise.all(ids.map((id) => docker.getContainer(id).kill()));
}

/** SIGKILLs process-driver replicas by the pids their pid files (`<name>.json`, somewhere in the data folder) record. */
export async function killProcessReplicas(dataDir: string, names: string[]): Promise<void> {
  const files = await readdir(dataDir, { recursive: true });
  for (const name of names) {
    const file = files.find((f) => basename(f) === `${name}.json`);
    if (!file) throw new Error(`no pid file for ${name} in ${dataDir}`);
    const { pid } = JSON.parse(await readFile(join(dataDir, file), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');
  }
}

/**
 * Reloads the HAProxy serving `dataDir` through its master with the config as `edit` rewrites it and no server-state
 * file, then waits for the new worker. Answers the worker's pid.
 */
export async function reloadThroughMaster(dataDir: string, edit: (config: string) => string): Promise<string> {
  const client = new RuntimeClient(socketPath(dataDir), 2_000);
  const oldWorker = (await client.showInfo()).Pid;
  const config = await readFile(configPath(dataDir), 'utf8');
  await writeFile(configPath(dataDir), edit(config), { mode: 0o600 });
  await rm(serverStatePath(dataDir), { force: true });
  const master = Number.parseInt((await readFile(pidfilePath(dataDir), 'utf8')).trim(), 10);
  const newWorker = async () => {
    const worker = await client.showInfo().then((info) => info.Pid, () => oldWorker);
    return worker !== oldWorker ? worker : null;
  };
  // A master that started a moment ago can let a SIGUSR2 pass without reloading (seen once in five): send it again.
  for (let attempt = 0; attempt < 4; attempt++) {
    process.kill(master, 'SIGUSR2');
    const worker = await waitFor(newWorker, 2_500, 'a new HAProxy worker').catch(() => null);
    if (worker) return worker;
  }
  throw new Error(`HAProxy (master ${master}) started no new worker after four SIGUSR2`);
}

/** The config without its `server` lines: what a reload that forgets the runtime-added servers starts with. */
export function withoutServers(config: string): string {
  return config.split('\n').filter((line) => !/^\s+server\s/.test(line)).join('\n');
}

/** The config without the scale-to-zero request hold in its frontend: requests at zero servers get a 503 at once. */
export function withoutRequestHold(config: string): string {
  return config.split('\n').filter((line) => !/^\s+http-request .*scaledeck_hold/.test(line)).join('\n');
}
