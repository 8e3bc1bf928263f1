// The headless shell (`node dist/electron/shells/headless/server.js`) as the dashboard test runs it: a child process on a free port,
// with its printed dashboard URL and a caller for its HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitFor } from '../support/control-plane-fixture.js';

export interface DashboardShell {
  child: ChildProcess;
  /** The URL the shell printed, carrying `?token=`, as a person would open it. */
  dashboardUrl: string;
  output(): string;
  /** Calls the HTTP API with the token; answers the status and the parsed JSON body. */
  call<T>(method: string, route: string, body?: unknown): Promise<{ status: number; json: T }>;
  /** SIGTERM, then waits for the exit: the shell drains and stops its replicas and HAProxy first. */
  stop(): Promise<void>;
}

export async function startDashboardShell(options: { dataDir: string; app: string; token: string }): Promise<DashboardShell> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['dist/electron/shells/headless/server.js', '--port', String(port), '--data-dir', options.dataDir], {
    env: { ...process.env, SCALEDECK_TOKEN: options.token, SCALEDECK_APP: options.app },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const dashboardUrl = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`the shell exited with code ${child.exitCode}: ${output}`);
      return /ScaleDeck dashboard: (\S+)/.exec(output)?.[1];
    },
    60_000,
    'the headless shell to print its dashboard URL',
  );
  const api = `http://127.0.0.1:${port}`;
  return {
    child,
    dashboardUrl,
    output: () => output,
    call: async <T>(method: string, route: string, body?: unknown) => {
      const response = await fetch(`${api}${route}`, {
        method,
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as T };
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
