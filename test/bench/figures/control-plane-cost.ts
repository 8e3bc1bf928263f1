// Figure 4: what the control plane itself costs (the headless shell's node process) with 1 and with 10 replicas.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchPaths } from '../bench-paths.js';
import type { BenchContext } from '../bench-context.js';
import { describeProfile, readCpuProfile, repoFileLocator, summarizeCpuProfile } from '../cpu-profile.js';
import { HeadlessShell, sleep } from '../headless-shell.js';
import { sampleUsage, type UsageSeries } from '../process-usage.js';
import { row, seconds, type FigureResult, type FigureRow } from '../summary.js';

const CPU_GOAL_PERCENT = 3;
const RSS_GOAL_MB = 150;
/** Lets the replicas' stats streams and the first samples settle before measuring. */
const SETTLE_MS = 5000;

function usageRows(subject: string, usage: UsageSeries, withGoal: boolean): FigureRow[] {
  const cpu = row({
    figure: '4 control-plane cost',
    subject,
    measure: 'CPU per 1 s interval (% of one core)',
    unit: '%',
    values: usage.cpuPercent,
    note: `mean over the window ${usage.meanCpuPercent.toFixed(2)} %, plus ${usage.meanChildCpuPercent.toFixed(2)} % in child processes it ran`,
  });
  const rss = row({ figure: '4 control-plane cost', subject, measure: 'resident memory', unit: 'MB', values: usage.rssMb });
  if (withGoal) {
    cpu.goal = { text: `mean < ${CPU_GOAL_PERCENT} % of a core`, met: usage.meanCpuPercent < CPU_GOAL_PERCENT };
    rss.goal = { text: `max < ${RSS_GOAL_MB} MB`, met: (rss.spread?.max ?? Infinity) < RSS_GOAL_MB };
  }
  return [cpu, rss];
}

async function measure(shell: HeadlessShell, replicas: number, windowMs: number): Promise<UsageSeries & { startedAt: number }> {
  await shell.scale(replicas);
  await shell.waitForReplicas(replicas, 180_000);
  await sleep(SETTLE_MS);
  const startedAt = Date.now();
  return { ...(await sampleUsage(shell.pid, windowMs)), startedAt };
}

/** The same 10-replica window under --cpu-prof, summarised: where the control plane spends its CPU. */
async function profileTenReplicas(context: BenchContext, windowMs: number): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdb-prof-'));
  try {
    const shell = await HeadlessShell.start({
      app: context.app('cost-prof'),
      settings: { driver: 'docker', mode: 'manual' },
      desired: 1,
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
    });
    let window: { fromMs: number; toMs: number };
    try {
      const usage = await measure(shell, 10, windowMs);
      window = { fromMs: usage.startedAt - shell.spawnedAt, toMs: usage.startedAt - shell.spawnedAt + windowMs };
    } finally {
      await shell.stop();
    }
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) return 'the profiled shell wrote no .cpuprofile';
    const summary = summarizeCpuProfile(readCpuProfile(path.join(dir, file)), repoFileLocator(benchPaths.repoRoot), 8, window);
    return `CPU profile of the shell over the ${windowMs / 1000} s window with 10 replicas: ${describeProfile(summary)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function controlPlaneFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const windowMs = context.quick ? 20_000 : 60_000;
  const result: FigureResult = { id: 'control-plane', title: 'Control-plane cost', rows: [], findings: [], durationS: 0 };
  // Manual mode: the count stays where it is set, so the window measures steady-state cost, not scaling.
  const shell = await HeadlessShell.start({ app: context.app('cost'), settings: { driver: 'docker', mode: 'manual' }, desired: 1 });
  try {
    context.log(`control-plane: 1 docker replica, ${windowMs / 1000} s at 1 s sampling`);
    const one = await measure(shell, 1, windowMs);
    context.log(`control-plane: 10 docker replicas, ${windowMs / 1000} s at 1 s sampling`);
    const ten = await measure(shell, 10, windowMs);
    result.rows.push(...usageRows('ScaleDeck headless shell, 1 docker replica', one, false), ...usageRows('ScaleDeck headless shell, 10 docker replicas', ten, true));
  } finally {
    await shell.stop();
  }
  if (context.profile) {
    context.log('control-plane: profiling the shell with 10 replicas (--cpu-prof)');
    result.findings.push(await profileTenReplicas(context, windowMs));
  }
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}
