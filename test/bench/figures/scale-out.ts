// Figure 1: from a scale request (n -> n+1) to the new replica answering through the frontend, ScaleDeck vs the seed,
// beside the engine's floor (a bare `docker run` to its first answer) measured in the same run.
import { actuationPhases } from '../actuation-phases.js';
import { dockerRunFloor, POLL_MS } from '../engine-floor.js';
import { runsFor, type BenchContext } from '../bench-context.js';
import { hostsServing, waitForNewHost, type NewHostResult } from '../frontend-probe.js';
import { HeadlessShell, sleep, waitFor } from '../headless-shell.js';
import { SeedBaseline } from '../seed-baseline.js';
import { row, seconds, spreadOf, type FigureResult, type FigureRow } from '../summary.js';

const GOAL_S = 1.5;
/** ScaleDeck's median request-to-serving time over the bare engine's, at most. */
const FLOOR_RATIO_GOAL = 1.15;
const NEW_HOST_TIMEOUT_MS = 30_000;

interface Series {
  times: number[];
  failedProbes: number[];
  misses: number;
}

function record(series: Series, requestedAt: number, result: NewHostResult): void {
  if (result.at === null) series.misses += 1;
  else series.times.push(seconds(result.at - requestedAt));
  series.failedProbes.push(result.failed);
}

async function scaleDeckSeries(context: BenchContext, driver: 'docker' | 'process', runs: number): Promise<Series> {
  const series: Series = { times: [], failedProbes: [], misses: 0 };
  const shell = await HeadlessShell.start({ app: context.app(`out-sd-${driver.slice(0, 4)}`), settings: { driver, mode: 'manual', minReplicas: 1, maxReplicas: 10 }, desired: 1 });
  try {
    await shell.waitForReplicas(1, 60_000);
    for (let run = 0; run < runs; run++) {
      const known = await hostsServing(shell.frontend, 1);
      const requestedAt = Date.now();
      await shell.scale(2);
      record(series, requestedAt, await waitForNewHost(shell.frontend, known, NEW_HOST_TIMEOUT_MS, POLL_MS));
      await shell.waitForReplicas(2, 30_000);
      await shell.scale(1);
      await shell.waitForReplicas(1, 60_000);
    }
  } finally {
    await shell.stop();
  }
  return series;
}

async function baselineSeries(context: BenchContext, driver: 'docker' | 'process', runs: number): Promise<Series> {
  const series: Series = { times: [], failedProbes: [], misses: 0 };
  const baseline = await SeedBaseline.start({ app: context.app(`out-seed-${driver.slice(0, 4)}`), driver, style: 'seed' });
  try {
    await baseline.setReplicas(1);
    await waitFor(async () => (await hostsServing(baseline.frontend, 1)).size === 1, 30_000, 'the first seed replica to answer');
    for (let run = 0; run < runs; run++) {
      const known = await hostsServing(baseline.frontend, 1);
      const requestedAt = Date.now();
      const actuation = baseline.setReplicas(2);
      record(series, requestedAt, await waitForNewHost(baseline.frontend, known, NEW_HOST_TIMEOUT_MS, POLL_MS));
      await actuation;
      await baseline.setReplicas(1);
      // Killed replicas leave HAProxy within the call; a short pause keeps runs from overlapping in the engine.
      await sleep(300);
    }
  } finally {
    await baseline.stop();
  }
  return series;
}

function rows(subject: string, series: Series, goal: boolean): FigureRow[] {
  const actuation = row({
    figure: '1 scale-out',
    subject,
    measure: 'request -> new replica answers',
    unit: 's',
    values: series.times,
    note: series.misses > 0 ? `${series.misses} run(s) saw no new replica within ${NEW_HOST_TIMEOUT_MS / 1000} s` : undefined,
  });
  if (goal && actuation.spread) actuation.goal = { text: `median < ${GOAL_S} s`, met: actuation.spread.median < GOAL_S && series.misses === 0 };
  const failed = row({
    figure: '1 scale-out',
    subject,
    measure: 'failed probes while scaling out',
    unit: '',
    values: series.failedProbes,
  });
  return [actuation, failed];
}

export async function scaleOutFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const runs = runsFor(context, 10, 5);
  const result: FigureResult = { id: 'scale-out', title: 'Scale-out actuation', rows: [], findings: [], durationS: 0 };
  for (const driver of ['docker', 'process'] as const) {
    context.log(`scale-out: ScaleDeck, ${driver} driver, ${runs} runs`);
    const scaleDeck = await scaleDeckSeries(context, driver, runs);
    context.log(`scale-out: seed baseline, ${driver} driver, ${runs} runs`);
    const baseline = await baselineSeries(context, driver, runs);
    result.rows.push(...rows(`ScaleDeck (${driver})`, scaleDeck, driver === 'docker'), ...rows(`seed baseline (${driver})`, baseline, false));
    if (driver === 'docker') {
      context.log(`scale-out: the engine's floor, a bare docker run to its first answer, ${runs} runs`);
      const floor = row({ figure: '1 scale-out', subject: 'bare docker run (the floor)', measure: 'docker run -> first answer', unit: 's', values: await dockerRunFloor(context.app('out-floor'), runs) });
      const ratio = (scaleDeck.times.length > 0 && floor.spread ? spreadOf(scaleDeck.times)!.median / floor.spread.median : Number.NaN);
      result.rows.push(floor, row({
        figure: '1 scale-out', subject: 'ScaleDeck (docker) / bare docker run', measure: 'ratio of medians', unit: '', values: [ratio],
        goal: { text: `<= ${FLOOR_RATIO_GOAL}`, met: ratio <= FLOOR_RATIO_GOAL },
      }));
      if (!(ratio <= FLOOR_RATIO_GOAL)) result.findings.push(`ScaleDeck's docker scale-out takes ${ratio.toFixed(2)}x the bare engine's time, ${((ratio - FLOOR_RATIO_GOAL) * 100).toFixed(0)} points past the goal; \`--profile\` times each step`);
    }
  }
  if (context.profile) {
    context.log('scale-out: timing each step of a docker scale-out');
    result.findings.push(await actuationPhases(context.app('out-steps'), 'docker', runs));
  }
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}
