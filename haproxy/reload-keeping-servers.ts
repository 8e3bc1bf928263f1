// A reload that keeps HAProxy's listening sockets and its servers: the servers it has are written into the new config
// and their state into the server-state file, then the master starts a new worker on them.
import { writeFile } from 'node:fs/promises';
import type { ConfiguredServer } from './config.js';
import type { ConfigFile } from './config-file.js';
import type { RuntimeClient } from './runtime-client.js';
import { parseServersState } from './stat.js';

export interface ReloadKeepingServers {
  /** The running master's pid. */
  master: number;
  client: RuntimeClient;
  config: ConfigFile;
  /** The backends of the new config: their servers are carried across, those of any other backend are dropped. */
  backends: readonly string[];
  serverStatePath: string;
  /** How long the new worker may take to serve with every server. */
  timeoutMs: number;
  /** The config's closing ACL (config.ts closingAcl), when it has one. */
  closingAcl?: string;
}

// A soft-stopping worker cuts its idle keep-alive connections at once, and a client that sends a request on one at
// that moment gets a reset (counted: 4 of 4400 requests over 10 reloads). Answering with `Connection: close` for a
// moment first lets busy clients close their connections after an answer; the new worker reads the file (empty).
const CLOSE_KEEP_ALIVE_MS = 300;

/** False when the new worker did not come up; the old one then still serves. */
export async function reloadKeepingServers(reload: ReloadKeepingServers): Promise<boolean> {
  // From the copy of the servers' state until the new worker serves, a server change would reach the old worker only.
  return reload.client.holdingServerChanges(() => reloadHoldingChanges(reload));
}

async function reloadHoldingChanges({ master, client, config, backends, serverStatePath, timeoutMs, closingAcl }: ReloadKeepingServers): Promise<boolean> {
  const oldWorker = (await client.showInfo()).Pid;
  const carried = new Set(backends);
  const servers = parseServersState(await client.dumpServersState())
    .filter((s) => carried.has(s.backend))
    .map(({ name, address, port, backend }): ConfiguredServer => ({ name, address, port, backend }));
  await config.write(servers);
  if (closingAcl !== undefined) await closeKeepAlive(client, closingAcl);
  // No server was added, removed or set meanwhile (changes are held); the health states are the freshest now.
  const state = await client.dumpServersState();
  await writeFile(serverStatePath, state, { mode: 0o600 });
  process.kill(master, 'SIGUSR2');

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      const worker = (await client.showInfo()).Pid;
      if (worker !== oldWorker && (await everyServerPresent(client, servers))) return true;
    } catch {
      // The socket moves to the new worker with the listeners; a refused connection in between is expected.
    }
    if (Date.now() >= deadline) return false;
  }
}

/** Every carried server is in its backend of the running worker. */
async function everyServerPresent(client: RuntimeClient, servers: ConfiguredServer[]): Promise<boolean> {
  for (const backend of new Set(servers.map((server) => server.backend as string))) {
    const present = new Set((await client.showServersState(backend)).map((server) => server.name));
    if (!servers.every((server) => server.backend !== backend || present.has(server.name))) return false;
  }
  return true;
}

/** Puts every client on the running worker's closing ACL, then gives busy clients a moment to take their answers. */
async function closeKeepAlive(client: RuntimeClient, file: string): Promise<void> {
  try {
    for (const everyone of ['0.0.0.0/0', '::/0']) await client.addAclEntry(file, everyone);
  } catch {
    // A HAProxy adopted from a version without the ACL: it reloads as before.
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, CLOSE_KEEP_ALIVE_MS));
}
