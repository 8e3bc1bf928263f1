// Runs the headless shell as its own process (its own process group, as a user's terminal would), for tests that
// kill it with -9 or start a second one, and calls its HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import type { Snapshot } from '../../electron/contract/contract.js';
import { freePort, waitFor } from './waiting.js';

export const SHELL_TOKEN = 'headless-process-test-token';

export interface Shell {
  child: ChildProcess;
  api: string;
  output: () => string;
}

/** Starts `node dist/electron/shells/headless/server.js` on a free port; resolves once it prints its dashboard URL. */
export async function startShell(dataDir: string, app: string): Promise<Shell> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['dist/electron/shells/headless/server.js', '--port', String(port), '--data-dir', dataDir], {
    detached: true,
    env: { ...process.env, SCALEDECK_TOKEN: SHELL_TOKEN, SCALEDECK_APP: app },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A shell that exits fails at once; one that is slow says, at the deadline, what it printed and how busy the host was.
  const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`The headless shell exited (${code ?? signal}) before serving; output: ${output || 'none'}`))));
  const started = waitFor(() => output.includes('ScaleDeck dashboard:'), 60_000,
    () => `the headless shell to start (load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; output: ${output || 'none'})`);
  exited.catch(() => undefined);
  await Promise.race([started, exited]);
  return { child, api: `http://127.0.0.1:${port}`, output: () => output };
}

export async function call(shell: Shell, method: string, route: string, body?: unknown): Promise<{ status: number; json: Snapshot }> {
  const response = await fetch(`${shell.api}${route}`, {
    method,
    headers: { authorization: `Bearer ${SHELL_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

/** kill -9 of the shell's whole process group, as a crash or `kill -9 -PGID` would. */
export async function killShell(shell: Shell): Promise<void> {
  process.kill(-shell.child.pid!, 'SIGKILL');
  if (shell.child.exitCode === null && shell.child.signalCode === null) await new Promise((resolve) => shell.child.once('exit', resolve));
}

/** Stops a shell that is still running with SIGTERM (it drains), and waits for it. */
export async function stopShell(shell: Shell): Promise<void> {
  if (shell.child.exitCode !== null || shell.child.signalCode !== null) return;
  shell.child.kill('SIGTERM');
  await new Promise((resolve) => shell.child.once('exit', resolve));
}
