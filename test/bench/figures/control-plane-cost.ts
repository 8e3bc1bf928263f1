// Figure 4: what the control plane itself costs: the headless shell's node process and the short-lived children it
// waits for, as the replica count grows (1, 10, 30, 100 local-process replicas; 1 and 10 on Docker, with dockerd's CPU
// beside it), where that CPU goes at the largest count, and a reconcile tick's CPU.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchPaths } from '../bench-paths.js';
import { runsFor, type BenchContext } from '../bench-context.js';
import { describeProfile, inclusiveMsOfFiles, readCpuProfile, repoFileLocator, summarizeCpuProfile } from '../cpu-profile.js';
import { HeadlessShell, sleep } from '../headless-shell.js';
import { sampleUsage, type UsageSeries } from '../process-usage.js';
import { row, seconds, type FigureResult, type FigureRow } from '../summary.js';

const CPU_GOALS: Record<number, number> = { 10: 1, 100: 3 };
const RSS_GOAL_MB = 150;
const TICK_GOAL_MS = 20;
/** The controller's reconcile period (controller.ts tickMs). */
const TICK_PERIOD_MS = 500;
/**
 * Lets the replicas' stats and the first samples settle before measuring, and the start's own work end: V8 shrinks
 * the heap it grew while starting with a few full collections some 8-10 s after the start, which is not steady state.
 */
const SETTLE_MS = 10_000;
/** The code one reconcile pass runs: the loop, its plan, the driver's listing and HAProxy's server list. */
const RECONCILE_FILES = ['core/service/controller.js', 'core/service/reconcile.js', 'core/service/tracked-replicas.js', 'core/service/replica-facts.js', 'process-driver.js', 'haproxy-backend.js', 'haproxy/stat.js'];
const figure = '4 control-plane cost';

interface Measured extends UsageSeries {
  replicas: number;
  startedAt: number;
}

async function measure(shell: HeadlessShell, replicas: number, windowMs: number, alongside?: number): Promise<Measured & { beside?: UsageSeries }> {
  await shell.scale(replicas);
  await shell.waitForReplicas(replicas, 300_000);
  await sleep(SETTLE_MS);
  const startedAt = Date.now();
  const [usage, beside] = await Promise.all([sampleUsage(shell.pid, windowMs), alongside === undefined ? undefined : sampleUsage(alongside, windowMs)]);
  return { ...usage, replicas, startedAt, ...(beside ? { beside } : {}) };
}

function dockerdPid(): number | undefined {
  try {
    return Number(execFileSync('pidof', ['dockerd'], { encoding: 'utf8' }).trim().split(' ')[0]) || undefined;
  } catch {
    return undefined;
  }
}

function curveRows(driver: string, runs: Measured[]): FigureRow[] {
  return runs.flatMap((run) => {
    const subject = `${run.replicas} ${driver} replica${run.replicas === 1 ? '' : 's'}`;
    const total = run.meanCpuPercent + run.meanChildCpuPercent;
    // The goals are the replica counts', whichever driver runs them: a container's cgroup files are as cheap as /proc.
    const goal = CPU_GOALS[run.replicas];
    return [
      row({
        figure, subject, measure: 'CPU, shell + its children (% of one core)', unit: '%', values: [total],
        note: `shell ${run.meanCpuPercent.toFixed(2)} %, children it waited for ${run.meanChildCpuPercent.toFixed(2)} %; per 1 s: ${run.cpuPercent.map((c) => c.toFixed(2)).join(' ')} ` +
          `(${run.source === 'schedstat' ? 'each thread\'s run time, ns' : 'clock ticks of 10 ms'})`,
        ...(goal === undefined ? {} : { goal: { text: `< ${goal} % of a core`, met: total < goal } }),
      }),
      row({
        figure, subject, measure: 'resident memory', unit: 'MB', values: run.rssMb,
        ...(run.replicas === 100 ? { goal: { text: `max < ${RSS_GOAL_MB} MB`, met: Math.max(...run.rssMb) < RSS_GOAL_MB } } : {}),
      }),
    ];
  });
}

/** The shell with `count` process replicas under --cpu-prof: where the CPU goes, and a reconcile pass's share of it. */
async function profileAt(context: BenchContext, count: number, windowMs: number): Promise<{ finding: string; tickCpuMs: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdb-prof-'));
  try {
    const shell = await HeadlessShell.start({
      app: context.app(`cost-prof-${count}`),
      settings: { driver: 'process', mode: 'manual', maxReplicas: 100 },
      desired: 1,
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
    });
    let window: { fromMs: number; toMs: number };
    try {
      const usage = await measure(shell, count, windowMs);
      window = { fromMs: usage.startedAt - shell.spawnedAt, toMs: usage.startedAt - shell.spawnedAt + windowMs };
    } finally {
      await shell.stop();
    }
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('the profiled shell wrote no .cpuprofile');
    const profile = readCpuProfile(path.join(dir, file));
    const locate = repoFileLocator(benchPaths.repoRoot);
    const summary = summarizeCpuProfile(profile, locate, 8, window);
    const tickCpuMs = inclusiveMsOfFiles(profile, locate, RECONCILE_FILES, window) / (windowMs / TICK_PERIOD_MS);
    return { finding: `CPU profile of the shell over ${windowMs / 1000} s with ${count} process replicas: ${describeProfile(summary)}`, tickCpuMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function controlPlaneFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const windowMs = runsFor(context, 30_000, 15_000);
  const result: FigureResult = { id: 'control-plane', title: 'Control-plane cost as replicas grow', rows: [], findings: [], durationS: 0 };
  // Manual mode: the count stays where it is set, so each window measures steady-state cost, not scaling.
  const processShell = await HeadlessShell.start({ app: context.app('cost-proc'), settings: { driver: 'process', mode: 'manual', maxReplicas: 100 }, desired: 1 });
  const processRuns: Measured[] = [];
  try {
    for (const count of [1, 10, 30, 100]) {
      context.log(`control-plane: ${count} process replicas, ${windowMs / 1000} s at 1 s sampling`);
      processRuns.push(await measure(processShell, count, windowMs));
    }
  } finally {
    await processShell.stop();
  }
  result.rows.push(...curveRows('process', processRuns));

  const dockerd = dockerdPid();
  const dockerShell = await HeadlessShell.start({ app: context.app('cost-docker'), settings: { driver: 'docker', mode: 'manual' }, desired: 1 });
  const dockerRuns: Array<Measured & { beside?: UsageSeries }> = [];
  try {
    for (const count of [1, 10]) {
      context.log(`control-plane: ${count} docker replicas, ${windowMs / 1000} s at 1 s sampling, dockerd beside`);
      dockerRuns.push(await measure(dockerShell, count, windowMs, dockerd));
    }
  } finally {
    await dockerShell.stop();
  }
  result.rows.push(...curveRows('docker', dockerRuns));
  for (const run of dockerRuns) {
    if (!run.beside) continue;
    result.rows.push(row({
      figure, subject: `dockerd with ${run.replicas} ScaleDeck replica${run.replicas === 1 ? '' : 's'} (stats from their cgroup files: no stream)`, measure: 'CPU (% of one core)', unit: '%',
      values: [run.beside.meanCpuPercent], note: 'the whole engine: other work on the shared machine counts too',
    }));
  }

  const [first, last] = [processRuns[0] as Measured, processRuns.at(-1) as Measured];
  const perReplica = ((last.meanCpuPercent + last.meanChildCpuPercent) - (first.meanCpuPercent + first.meanChildCpuPercent)) / (last.replicas - first.replicas);
  result.findings.push(`growth: ${perReplica.toFixed(3)} % of a core per process replica (${first.replicas} -> ${last.replicas}); ` +
    `memory ${Math.max(...first.rssMb).toFixed(0)} -> ${Math.max(...last.rssMb).toFixed(0)} MB`);

  context.log(`control-plane: profiling the shell with 100 process replicas (--cpu-prof)`);
  const profiled = await profileAt(context, 100, windowMs);
  result.findings.push(profiled.finding);
  result.rows.push(row({
    figure, subject: '100 process replicas, one reconcile pass', measure: 'CPU per tick (profile: controller, plan, driver list, server list)', unit: 'ms',
    values: [profiled.tickCpuMs], goal: { text: `< ${TICK_GOAL_MS} ms`, met: profiled.tickCpuMs < TICK_GOAL_MS },
  }));
  for (const r of result.rows) {
    if (r.goal && !r.goal.met) result.findings.push(`missed: ${r.subject}, ${r.measure}: ${r.spread?.max.toFixed(2)} ${r.unit} against ${r.goal.text}`);
  }
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}
