// The headless shell (`npm run serve`): the control plane behind HTTP + WebSocket, dashboard in any browser.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveAppPaths, repoRootFrom } from '../common/app-paths.js';
import { createControlPlane } from '../../core/compose-control-plane.js';
import type { ControlPlane } from '../../core/control-plane.js';
import { describePlan } from '../../core/compose/describe-plan.js';
import { describePortInUse } from '../../core/port-owner.js';
import { defaultDataDir } from '../../core/settings-store.js';
import { exposureWarning, startHeadlessServer, tokenProblem } from './headless-server.js';
import { keepServingOnStrayErrors } from '../common/last-resort.js';

const USAGE = 'Usage: npm run serve -- [--host 127.0.0.1] [--port 7400] [--data-dir DIR] [--haproxy-path /path/to/haproxy] [--docker-host URL] [--compose compose.yaml [--apply]]';

interface Cli {
  host: string;
  port: number;
  dataDir: string;
  /** Saved before start: settings that may be set only from this machine, never over the HTTP API. */
  localSettings: { haproxyPath?: string; dockerHost?: string };
  /** A Compose file to plan at start (absolute), and whether to apply that plan too. */
  compose?: { file: string; apply: boolean };
}

function parseCli(argv: string[]): Cli {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'haproxy-path': { type: 'string' },
      'docker-host': { type: 'string' },
      compose: { type: 'string' },
      apply: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = Number(values.port ?? process.env.SCALEDECK_PORT ?? 7400);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: must be a port from 0 to 65535, got ${values.port}`);
  const localSettings = Object.fromEntries(
    ([['haproxyPath', values['haproxy-path']], ['dockerHost', values['docker-host']]] as const).filter(([, value]) => value !== undefined),
  );
  if (values.apply && !values.compose) throw new Error('--apply: applies the plan of --compose FILE; name the file');
  const compose = values.compose ? { file: path.resolve(values.compose), apply: values.apply ?? false } : undefined;
  return { host: values.host ?? '127.0.0.1', port, dataDir: values['data-dir'] ?? defaultDataDir(), localSettings, ...(compose ? { compose } : {}) };
}

async function main(): Promise<void> {
  let cli: Cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const paths = resolveAppPaths({ appRoot: repoRootFrom(import.meta.url), packaged: false });
  const token = process.env.SCALEDECK_TOKEN || randomBytes(18).toString('base64url');
  const weakToken = tokenProblem(token);
  if (weakToken !== undefined) {
    console.error(`ScaleDeck will not start: ${weakToken}`);
    process.exit(2);
  }
  const exposed = exposureWarning(cli.host);
  if (exposed !== undefined) console.warn(exposed);
  const quiet = process.env.SCALEDECK_QUIET === '1';
  keepServingOnStrayErrors((line) => console.error(`${new Date().toISOString()} ${line}`));
  const plane = await createControlPlane({
    dataDir: cli.dataDir,
    paths,
    app: process.env.SCALEDECK_APP,
    localSettings: cli.localSettings,
    log: quiet ? undefined : (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  let server;
  try {
    server = await startHeadlessServer({
      target: plane, host: cli.host, port: cli.port, token, rendererDir: paths.rendererDir, composeDirs: cli.compose ? [path.dirname(cli.compose.file)] : [],
    });
  } catch (error) {
    const busy = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    console.error(busy ? `Cannot serve the dashboard: ${await describePortInUse(cli.port)}; use --port to choose another.` : `Cannot serve the dashboard: ${(error as Error).message}`);
    await plane.shutdown({ keepRunning: true });
    process.exit(1);
  }
  console.log(`ScaleDeck dashboard: ${server.url}`);
  console.log(`Frontend: ${plane.frontendUrl()}  HAProxy stats: ${plane.statsUrl()}`);
  if (cli.compose) await openCompose(plane, cli.compose);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const keepRunning = plane.settings.keepRunningOnQuit;
    console.log(`${signal}: stopping ScaleDeck${keepRunning ? ' (HAProxy and the replicas keep running)' : '; draining replicas'}...`);
    await server.close();
    await plane.shutdown({ keepRunning });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Plans the file given with --compose and prints the plan; applies it only when --apply says so. */
async function openCompose(plane: ControlPlane, compose: { file: string; apply: boolean }): Promise<void> {
  let yaml: string;
  try {
    yaml = readFileSync(compose.file, 'utf8');
  } catch (error) {
    console.error(`--compose: cannot read ${compose.file}: ${(error as Error).message}`);
    return;
  }
  const env = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const input = { yaml, projectDir: path.dirname(compose.file), fileName: compose.file, env };
  const result = compose.apply ? await plane.applyCompose(input) : await plane.planCompose(input);
  if ('error' in result) {
    console.error(`--compose: ${result.error}`);
    return;
  }
  console.log(describePlan(result.result));
  if (!compose.apply) console.log(`Nothing started. Apply it from the dashboard's Compose panel, or start again with --compose ${compose.file} --apply`);
}

main().catch((error: unknown) => {
  console.error(`ScaleDeck could not start: ${(error as Error).message}`);
  process.exit(1);
});
