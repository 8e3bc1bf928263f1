// Figure 4b: what the control plane costs as services are added: the headless shell with 1, 5 and 10 services of 4
// process replicas each (manual mode), and 5 of 10 each, its CPU and the short-lived children it waits for, and its
// resident memory.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServiceView } from '../../../electron/contract/contract.js';
import { benchPaths } from '../bench-paths.js';
import { runsFor, type BenchContext } from '../bench-context.js';
import { describeProfile, readCpuProfile, repoFileLocator, summarizeCpuProfile } from '../cpu-profile.js';
import { freePort, HeadlessShell, sleep, waitFor } from '../headless-shell.js';
import { sampleUsage, type UsageSeries } from '../process-usage.js';
import { notReadyYet, replicaIds, replicaTurnover } from '../service-readiness.js';
import { row, seconds, spreadOf, type FigureResult, type FigureRow } from '../summary.js';

const SERVICE_COUNTS = [1, 5, 10];
const REPLICAS_EACH = 4;
/** Once more with more replicas each: the per-service reads must not grow with replicas, the per-replica ones show here. */
const WIDE = { services: 5, replicasEach: 10 };
/** The spec's goals, at 5 services x 4 replicas. */
const GOAL_AT = 5;
const CPU_GOAL = 2;
const RSS_GOAL_MB = 150;
/** Lets the new replicas' first samples and HAProxy's reloads settle before measuring, as the control-plane figure does. */
const SETTLE_MS = 5000;
const FIRST_SERVICE = 'web';
const COUNTED = 'the shell process and the short-lived children it waits for (cutime); not the replicas, which run through ' +
  'the window and are not waited for, nor HAProxy';
const figure = '4b control-plane cost per service';

interface Measured extends UsageSeries {
  services: number;
  replicasEach: number;
  startedAt: number;
  /** Replicas that came or went in the window, in words; absent when none did. */
  turnover?: string;
}

const serviceName = (index: number): string => (index === 0 ? FIRST_SERVICE : `s${index + 1}`);

function listServices(shell: HeadlessShell): Promise<ServiceView[]> {
  return shell.request<ServiceView[]>('GET', '/api/services');
}

/** Adds services until there are `count`, each manual with exactly `each` replicas on a frontend of its own. */
async function growTo(shell: HeadlessShell, from: number, count: number, each: number): Promise<void> {
  for (let index = from; index < count; index++) {
    const name = serviceName(index);
    await shell.request('POST', '/api/services', {
      name, frontendPort: await freePort(), mode: 'manual', minReplicas: each, maxReplicas: each,
    });
    await shell.request('POST', `/api/services/${name}/scale`, { replicas: each });
  }
}

async function measure(shell: HeadlessShell, services: number, each: number, windowMs: number): Promise<Measured> {
  const names = Array.from({ length: services }, (_, index) => serviceName(index));
  let waiting = 'no listing yet';
  const ready = await waitFor(async () => {
    const views = await listServices(shell);
    waiting = notReadyYet(views, names, each) ?? '';
    return waiting === '' ? views : null;
  }, 300_000, () => `${services} services of ${each} ready replicas (${waiting})`, 250);
  await sleep(SETTLE_MS);
  const startedAt = Date.now();
  const usage = await sampleUsage(shell.pid, windowMs);
  const turnover = replicaTurnover(replicaIds(ready), replicaIds(await listServices(shell)));
  return { ...usage, services, replicasEach: each, startedAt, ...(turnover ? { turnover } : {}) };
}

function rowsOf(runs: readonly Measured[]): FigureRow[] {
  return runs.flatMap((run) => {
    const subject = `${run.services} service${run.services === 1 ? '' : 's'} x ${run.replicasEach} process replicas`;
    const total = run.meanCpuPercent + run.meanChildCpuPercent;
    const atGoal = run.services === GOAL_AT && run.replicasEach === REPLICAS_EACH;
    const turnover = run.turnover ? `; replicas changed in the window (${run.turnover}): a reaped one's CPU is among the children` : '';
    return [
      row({
        figure, subject, measure: 'CPU, shell + children it waited for (% of one core)', unit: '%', values: [total],
        note: `shell ${run.meanCpuPercent.toFixed(2)} %, children it waited for ${run.meanChildCpuPercent.toFixed(2)} %; ` +
          `per 1 s: ${run.cpuPercent.map((c) => c.toFixed(1)).join(' ')}${turnover}`,
        ...(atGoal ? { goal: { text: `< ${CPU_GOAL} % of a core`, met: total < CPU_GOAL } } : {}),
      }),
      row({
        figure, subject, measure: 'resident memory of the shell', unit: 'MB', values: run.rssMb,
        ...(atGoal ? { goal: { text: `max < ${RSS_GOAL_MB} MB`, met: Math.max(...run.rssMb) < RSS_GOAL_MB } } : {}),
      }),
    ];
  });
}

/** A shell grown to `counts` services one step at a time, measured at each; profiled under --cpu-prof when `profileDir` is given. */
async function runShell(
  context: BenchContext, suffix: string, counts: readonly number[], windowMs: number, { profileDir, each = REPLICAS_EACH }: { profileDir?: string; each?: number } = {},
): Promise<{ runs: Measured[]; spawnedAt: number }> {
  // Manual mode: each count stays where it is set, so a window measures the steady state, not scaling.
  const shell = await HeadlessShell.start({
    app: context.app(suffix),
    settings: { driver: 'process', mode: 'manual', minReplicas: each, maxReplicas: each },
    desired: each,
    ...(profileDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}),
  });
  const runs: Measured[] = [];
  try {
    let services = 1;
    for (const count of counts) {
      await growTo(shell, services, count, each);
      services = count;
      context.log(`services: ${count} x ${each} process replicas, ${windowMs / 1000} s at 1 s sampling${profileDir ? ' under --cpu-prof' : ''}`);
      runs.push(await measure(shell, count, each, windowMs));
    }
  } finally {
    await shell.stop();
  }
  return { runs, spawnedAt: shell.spawnedAt };
}

/** Where the shell's CPU goes with the most services, from a profiled shell of its own (the profiler costs CPU too). */
async function profileAtMost(context: BenchContext, windowMs: number): Promise<string> {
  const most = Math.max(...SERVICE_COUNTS);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdb-prof-'));
  try {
    const { runs, spawnedAt } = await runShell(context, 'services-prof', [most], windowMs, { profileDir: dir });
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('the profiled shell wrote no .cpuprofile');
    const from = (runs[0] as Measured).startedAt - spawnedAt;
    const summary = summarizeCpuProfile(readCpuProfile(path.join(dir, file)), repoFileLocator(benchPaths.repoRoot), 8, { fromMs: from, toMs: from + windowMs });
    return `CPU profile of the shell over ${windowMs / 1000} s with ${most} services x ${REPLICAS_EACH} process replicas: ${describeProfile(summary)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function servicesFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const windowMs = runsFor(context, 30_000, 15_000);
  const result: FigureResult = { id: 'services', title: 'Control-plane cost as services grow', rows: [], findings: [], durationS: 0 };
  const { runs } = await runShell(context, 'services', SERVICE_COUNTS, windowMs);
  result.rows.push(...rowsOf(runs));
  result.findings.push(`counted: ${COUNTED}`);
  const { runs: wide } = await runShell(context, 'services-wide', [WIDE.services], windowMs, { each: WIDE.replicasEach });
  result.rows.push(...rowsOf(wide));

  const [first, last] = [runs[0] as Measured, runs.at(-1) as Measured];
  const added = last.services - first.services;
  const perService = ((last.meanCpuPercent + last.meanChildCpuPercent) - (first.meanCpuPercent + first.meanChildCpuPercent)) / added;
  // Medians: the first window's maximum can still hold the start's heap before a collection.
  const [firstMb, lastMb] = [spreadOf(first.rssMb)?.median ?? Number.NaN, spreadOf(last.rssMb)?.median ?? Number.NaN];
  result.findings.push(`growth: ${perService.toFixed(3)} % of a core and ${((lastMb - firstMb) / added).toFixed(1)} MB per service of ${REPLICAS_EACH} replicas ` +
    `(${first.services} -> ${last.services}); median memory ${firstMb.toFixed(0)} -> ${lastMb.toFixed(0)} MB`);

  if (context.profile) {
    context.log(`services: profiling the shell with ${Math.max(...SERVICE_COUNTS)} services (--cpu-prof)`);
    result.findings.push(await profileAtMost(context, windowMs));
  }
  for (const r of result.rows) {
    if (r.goal && !r.goal.met) result.findings.push(`missed: ${r.subject}, ${r.measure}: ${r.spread?.max.toFixed(2)} ${r.unit} against ${r.goal.text}`);
  }
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}
