// Figure 2: a load step that one replica cannot carry starts at t0; how long until a new replica serves part of it.
// ScaleDeck with its defaults (auto, replica CPU, threshold) against the seed (host CPU polled every 10 s).
import { runsFor, type BenchContext } from '../bench-context.js';
import { hostsServing } from '../frontend-probe.js';
import { HeadlessShell, sleep, waitFor } from '../headless-shell.js';
import { runLoad, type LoadReport } from '../load.js';
import { SEED_POLL_INTERVAL_MS, SeedBaseline } from '../seed-baseline.js';
import { row, seconds, type FigureResult } from '../summary.js';

const GOAL_S = 5;
/** 20 ms of CPU per request: one replica's 0.5 CPU serves 25 requests/s, so 40/s needs a second one. */
const WORK_PATH = 'work?ms=20';
const STEP_RATE = 40;

interface StepRun {
  /** Seconds from t0 to the first answer of a replica that did not serve before t0; null when none did. */
  reactionS: number | null;
  failed: number;
  requests: number;
}

/** Starts the step at t0 and ends it at the first answer of a new replica, or after the window. */
async function loadStep(frontend: string, known: ReadonlySet<string>, windowS: number): Promise<StepRun> {
  const load = runLoad({ url: new URL(WORK_PATH, frontend).toString(), rate: STEP_RATE, durationS: windowS });
  let reactionS: number | null = null;
  load.onNewHost((host, at) => {
    if (known.has(host) || reactionS !== null) return;
    reactionS = seconds(at - load.startedAt);
    load.stop();
  });
  const report: LoadReport = await load.done;
  return { reactionS, failed: report.non2xx + report.errors, requests: report.requests };
}

async function scaleDeckRuns(context: BenchContext, runs: number): Promise<StepRun[]> {
  const results: StepRun[] = [];
  // Everything else stays at ScaleDeck's defaults: auto mode, replica CPU, threshold 70 % for 3 samples of 1 s.
  const shell = await HeadlessShell.start({ app: context.app('step-sd'), settings: { driver: 'docker' }, desired: 1 });
  try {
    for (let run = 0; run < runs; run++) {
      await shell.waitForReplicas(1, 90_000);
      const snapshot = await shell.snapshot();
      // The replica must be past its warm-up and idle, or the first samples of the step would not count.
      const warmupMs = snapshot.settings.warmupS * 1000;
      const oldest = Math.min(...snapshot.replicas.map((r) => r.startedAt));
      await sleep(Math.max(0, oldest + warmupMs + 1000 - Date.now()));
      await waitFor(async () => ((await shell.snapshot()).sample?.replicaCpu ?? 100) < 20, 30_000, 'the replica to be idle');
      if (snapshot.settings.mode !== 'auto') await shell.setMode('auto');
      await sleep(1500);
      const known = await hostsServing(shell.frontend, 1);
      const result = await loadStep(shell.frontend, known, 20);
      context.log(`load-step: ScaleDeck run ${run + 1}: ${result.reactionS === null ? 'no new replica' : `${result.reactionS.toFixed(2)} s`}`);
      results.push(result);
      // Back to one replica by hand (manual mode), then autoscaling resumes for the next step.
      await shell.scale(1);
    }
  } finally {
    await shell.stop();
  }
  return results;
}

async function baselineRuns(context: BenchContext, runs: number, windowS: number): Promise<{ runs: StepRun[]; replicasAtStep: number[] }> {
  const results: StepRun[] = [];
  const replicasAtStep: number[] = [];
  const baseline = await SeedBaseline.start({ app: context.app('step-seed'), driver: 'docker', style: 'seed' });
  try {
    for (let run = 0; run < runs; run++) {
      baseline.stopAutoscaling();
      await baseline.settled();
      await baseline.setReplicas(1);
      await waitFor(async () => (await hostsServing(baseline.frontend, 1)).size === 1, 30_000, 'one seed replica answering');
      await sleep(2000);
      await baseline.startAutoscaling();
      // The seed's poll is not tied to the load: the step lands anywhere in its 10 s period.
      await sleep(((run + 0.5) / runs) * SEED_POLL_INTERVAL_MS);
      const serving = baseline.replicas().length;
      replicasAtStep.push(serving);
      const known = await hostsServing(baseline.frontend, serving);
      const result = await loadStep(baseline.frontend, known, windowS);
      context.log(`load-step: seed run ${run + 1}: ${result.reactionS === null ? `no new replica within ${windowS} s` : `${result.reactionS.toFixed(2)} s`} ` +
        `(${serving} replica(s) at t0, polls: ${baseline.decisions.slice(-3).map((d) => `${d.hostCpu.toFixed(0)}% -> ${d.desired}`).join(', ')})`);
      results.push(result);
    }
  } finally {
    await baseline.stop();
  }
  return { runs: results, replicasAtStep };
}

export async function loadStepFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const result: FigureResult = { id: 'load-step', title: 'Reaction to a load step', rows: [], findings: [], durationS: 0 };
  const windowS = 25;

  context.log(`load-step: ScaleDeck, ${STEP_RATE} req/s of /${WORK_PATH}`);
  const scaleDeck = await scaleDeckRuns(context, runsFor(context, 5, 3));
  const reacted = scaleDeck.flatMap((r) => (r.reactionS === null ? [] : [r.reactionS]));
  const sdRow = row({
    figure: '2 load step',
    subject: 'ScaleDeck (defaults: replica CPU, threshold 70 %, 3 x 1 s samples)',
    measure: 't0 -> first answer of a new replica',
    unit: 's',
    values: reacted,
    note: scaleDeck.length > reacted.length ? `${scaleDeck.length - reacted.length} run(s) without reaction within 20 s` : undefined,
  });
  if (sdRow.spread) sdRow.goal = { text: `median < ${GOAL_S} s`, met: sdRow.spread.median < GOAL_S && reacted.length === scaleDeck.length };
  result.rows.push(sdRow);

  context.log('load-step: seed baseline (host CPU every 10 s)');
  const seed = await baselineRuns(context, runsFor(context, 3, 2), windowS);
  const seedReacted = seed.runs.flatMap((r) => (r.reactionS === null ? [] : [r.reactionS]));
  const missed = seed.runs.length - seedReacted.length;
  result.rows.push(row({
    figure: '2 load step',
    subject: 'seed baseline (host CPU / 10, polled every 10 s)',
    measure: 't0 -> first answer of a new replica',
    unit: 's',
    values: seedReacted,
    note: [
      missed > 0 ? `${missed} of ${seed.runs.length} run(s) never reacted within ${windowS} s` : '',
      `replicas at t0: ${seed.replicasAtStep.join(', ')}${seed.replicasAtStep.some((n) => n > 1) ? ' (host CPU from other work scaled it before the step)' : ''}`,
    ].filter(Boolean).join('; '),
  }));
  for (const [subject, runs] of [['ScaleDeck', scaleDeck], ['seed baseline', seed.runs]] as const) {
    result.rows.push(row({
      figure: '2 load step',
      subject,
      measure: 'failed requests until the reaction',
      unit: '',
      values: runs.map((r) => r.failed),
      note: `of ${runs.map((r) => r.requests).join(', ')} requests`,
    }));
  }
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}
