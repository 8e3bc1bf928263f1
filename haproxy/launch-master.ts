// Starts a detached HAProxy master for one data folder and waits until its runtime socket answers.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { serverStatePath } from './config.js';
import { alertsIn, type ConfigFile } from './config-file.js';
import { endProcesses, isRunningConfig, processesRunningConfig } from './process-table.js';
import type { RuntimeClient } from './runtime-client.js';

export interface LaunchMaster {
  bin: string;
  dataDir: string;
  configPath: string;
  pidfilePath: string;
  config: ConfigFile;
  client: RuntimeClient;
  /** How long the start may take until the runtime socket answers. */
  timeoutMs: number;
}

/** Ends what still runs this config, starts afresh with an empty backend, and answers the new master's pid. */
export async function launchMaster({ bin, dataDir, configPath, pidfilePath, config, client, timeoutMs }: LaunchMaster): Promise<number> {
  // A leftover would keep the ports, and a second instance would take over the socket file from it.
  await endProcesses(await processesRunningConfig(configPath), configPath, 'SIGTERM', 2_000);
  // A fresh start has an empty backend; an old state file would only name servers it does not have.
  await rm(serverStatePath(dataDir), { force: true });
  await config.write([]);
  await rm(pidfilePath, { force: true });

  const logPath = join(dataDir, 'haproxy-start.log');
  // The data folder's files are the owner's only (0600), as ScaleDeck's core keeps them.
  const log = openSync(logPath, 'w', 0o600);
  let exitCode: number | null;
  try {
    // -D daemonizes into its own session, so the data plane survives the app's process group being killed. The
    // umask makes what HAProxy writes (its pid file, rewritten on every reload) the owner's only, as the data folder is.
    const launcher = spawn('/bin/sh', ['-c', 'umask 077 && exec "$0" "$@"', bin, '-W', '-D', '-f', configPath], {
      cwd: dataDir,
      detached: true,
      stdio: ['ignore', log, log],
    });
    exitCode = await new Promise<number | null>((resolve, reject) => {
      launcher.once('error', reject);
      launcher.once('exit', (code) => resolve(code));
    });
  } finally {
    closeSync(log);
  }
  if (exitCode !== 0) {
    throw new Error(`HAProxy did not start: ${await startupProblem(logPath)}`);
  }

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = await readPidfile(pidfilePath);
    if (pid !== undefined && (await isRunningConfig(pid, configPath))) {
      try {
        await client.showInfo();
        return pid;
      } catch {
        // Not listening yet.
      }
    }
    if (Date.now() >= deadline) {
      await endProcesses(await processesRunningConfig(configPath), configPath, 'SIGTERM', 2_000);
      throw new Error(`HAProxy started but its runtime socket ${client.socketPath} did not answer within ${timeoutMs} ms: ${await startupProblem(logPath)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The master's pid as HAProxy wrote it, or undefined when there is none. */
export async function readPidfile(pidfilePath: string): Promise<number | undefined> {
  const text = await readFile(pidfilePath, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim().split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function startupProblem(logPath: string): Promise<string> {
  const output = await readFile(logPath, 'utf8').catch(() => '');
  const summary = (alertsIn(output) || 'no output').replace(/\.$/, '');
  const hint = /Address already in use/.test(output) ? ' Another program uses that port: stop it or choose other ports.' : '';
  return `${summary}.${hint} (HAProxy's output: ${logPath})`;
}
