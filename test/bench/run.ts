// `npm run bench`: measures ScaleDeck against the seed's approach on this machine with real Docker and HAProxy,
// prints a markdown table and writes test/bench/results/latest.json. `--quick` runs fewer rounds, `--only <figure>` one
// figure, `--profile` adds CPU profiles of the control plane to the findings.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Dockerode from 'dockerode';
import { buildApiImage, imageExists } from '../../electron/core/image/image-builder.js';
import { defaultSettings } from '../../electron/contract/settings-schema.js';
import { checkHaproxy } from '../../haproxy/version.js';
import { benchPaths } from './bench-paths.js';
import type { BenchContext } from './bench-context.js';
import { controlPlaneFigure } from './figures/control-plane-cost.js';
import { dashboardFigure } from './figures/dashboard.js';
import { dataPlaneFigure } from './figures/data-plane.js';
import { forecastFigure } from './figures/forecast.js';
import { loadStepFigure } from './figures/load-step.js';
import { rolloutFigure } from './figures/rollout.js';
import { scaleInFigure } from './figures/scale-in-safety.js';
import { scaleOutFigure } from './figures/scale-out.js';
import { whatIfFigure } from './figures/what-if.js';
import { selfHealingFigure } from './figures/self-healing.js';
import { servicesFigure } from './figures/services-cost.js';
import { zeroAndSparesFigure } from './figures/zero-and-spares.js';
import { machineInfo } from './machine.js';
import { markdownTable, writeResults, type BenchResults } from './report.js';
import { FIGURE_IDS, type FigureId, type FigureResult } from './summary.js';
import { teardownAll } from './teardown.js';

const USAGE = `Usage: npm run bench -- [--quick] [--profile] [--only <${FIGURE_IDS.join('|')}>]`;

const figures: Record<FigureId, (context: BenchContext) => Promise<FigureResult>> = {
  'scale-out': scaleOutFigure,
  'load-step': loadStepFigure,
  'scale-in': scaleInFigure,
  rollout: rolloutFigure,
  'control-plane': controlPlaneFigure,
  services: servicesFigure,
  'data-plane': dataPlaneFigure,
  dashboard: dashboardFigure,
  'what-if': whatIfFigure,
  'self-healing': selfHealingFigure,
  'zero-and-spares': zeroAndSparesFigure,
  forecast: forecastFigure,
};

function parseCli(): { quick: boolean; profile: boolean; only: FigureId[] } {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { quick: { type: 'boolean' }, only: { type: 'string', multiple: true }, profile: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only = (values.only ?? []).flatMap((value) => value.split(','));
  for (const id of only) {
    if (!(FIGURE_IDS as readonly string[]).includes(id)) throw new Error(`--only: no figure "${id}"; choose from ${FIGURE_IDS.join(', ')}`);
  }
  return { quick: values.quick ?? false, profile: values.profile ?? false, only: only as FigureId[] };
}

/** Docker, HAProxy and the api image must be there; the image builds offline when it is missing. */
async function checkMachine(log: (line: string) => void): Promise<void> {
  await checkHaproxy();
  const docker = new Dockerode();
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(`No Docker engine answers (${(error as Error).message}): start dockerd; the benchmark measures real containers`);
  }
  if (!(await imageExists(docker, defaultSettings.image))) {
    log(`building ${defaultSettings.image} (offline)`);
    await buildApiImage({ docker, dockerfile: path.join(benchPaths.repoRoot, 'api', 'Dockerfile'), serverJs: benchPaths.apiServerJs, tag: defaultSettings.image, onLog: () => undefined });
  }
}

async function main(): Promise<void> {
  let cli: ReturnType<typeof parseCli>;
  try {
    cli = parseCli();
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const startedAt = Date.now();
  const log = (line: string) => console.log(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  let interrupted = false;
  const onSignal = (signal: string) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping what the benchmark started`);
    void teardownAll(log).finally(() => process.exit(130));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  await checkMachine(log);
  const runId = `b${randomBytes(3).toString('hex')}`;
  const context: BenchContext = { quick: cli.quick, profile: cli.profile, log, app: (suffix) => `${runId}-${suffix}` };
  const results: BenchResults = {
    startedAt: new Date(startedAt).toISOString(),
    durationS: 0,
    quick: cli.quick,
    machine: await machineInfo(),
    figures: [],
    failures: [],
  };
  const selected = cli.only.length > 0 ? cli.only : [...FIGURE_IDS];
  for (const id of selected) {
    log(`figure ${id}`);
    try {
      const figure = await figures[id](context);
      if (!context.profile && figure.rows.some((row) => row.goal && !row.goal.met)) {
        figure.findings.push(`a goal is missed: \`npm run bench -- --only ${id} --profile\` shows where the time goes`);
      }
      results.figures.push(figure);
    } catch (error) {
      log(`figure ${id} failed: ${(error as Error).stack ?? String(error)}`);
      results.failures.push({ id, error: (error as Error).message });
    } finally {
      // Whatever a failed figure left running must not skew the next one.
      await teardownAll(log);
    }
  }
  results.durationS = (Date.now() - startedAt) / 1000;
  const file = writeResults(results, benchPaths.results);
  console.log(`\n${markdownTable(results)}\n\nResults: ${file}`);
  // Everything it started is torn down by now; a handle a library left open must not keep the run, and the shared
  // benchmark lock its caller holds, alive after the results are written.
  process.exit(results.failures.length > 0 ? 1 : 0);
}

main().catch(async (error: unknown) => {
  console.error(`The benchmark could not run: ${(error as Error).message}`);
  await teardownAll((line) => console.error(line));
  process.exit(1);
});
