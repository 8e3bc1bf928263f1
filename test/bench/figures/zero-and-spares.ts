// Figure 9: scale to zero and warm spares: first request at zero replicas -> its answer (cold, and with a warm spare),
// scale decision -> a spare serving beside the cold path, and p99 latency during a scale-out with and without slow start.
import { runsFor, type BenchContext } from '../bench-context.js';
import { hostsServing, waitForNewHost } from '../frontend-probe.js';
import { HeadlessShell, sleep, waitFor } from '../headless-shell.js';
import { runLoad } from '../load.js';
import { row, seconds, type FigureResult } from '../summary.js';

const COLD_GOAL_S = 1;
const SPARE_GOAL_MS = 50;
const FIGURE = '9 zero and spares';

/** One GET at zero replicas: ms until it is answered, or null when it was not answered 200. */
async function firstRequestMs(frontend: string): Promise<number | null> {
  const started = performance.now();
  const answer = await probeOnceWithin(frontend, 20_000);
  return answer === 200 ? performance.now() - started : null;
}

async function probeOnceWithin(frontend: string, timeoutMs: number): Promise<number | null> {
  try {
    const response = await fetch(frontend, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return null;
  }
}

/** Each run: down to zero by hand, autoscaling back on (it stays at zero while idle), then one request. */
async function coldStarts(context: BenchContext, standbyReplicas: number, runs: number): Promise<{ times: number[]; failed: number }> {
  const times: number[] = [];
  let failed = 0;
  const shell = await HeadlessShell.start({
    app: context.app(`zero-${standbyReplicas}`),
    settings: { driver: 'docker', mode: 'manual', minReplicas: 0, maxReplicas: 4, standbyReplicas, scaleDownCooldownS: 600 },
    desired: 0,
  });
  try {
    for (let run = 0; run < runs; run++) {
      await shell.scale(0);
      await waitFor(async () => {
        const snapshot = await shell.snapshot();
        const spares = snapshot.replicas.filter((r) => r.state === 'standby').length;
        return snapshot.replicas.length === standbyReplicas && spares === standbyReplicas ? true : null;
      }, 60_000, `zero serving replicas and ${standbyReplicas} spare(s)`, 100);
      await shell.setMode('auto');
      const ms = await firstRequestMs(shell.frontend);
      if (ms === null) failed += 1;
      else times.push(ms);
    }
  } finally {
    await shell.stop();
  }
  return { times, failed };
}

/** Each run: 1 serving (+ a spare when asked), scale to 2, time until the new replica answers through the frontend. */
async function scaleOuts(context: BenchContext, standbyReplicas: number, runs: number): Promise<{ times: number[]; failed: number }> {
  const times: number[] = [];
  let failed = 0;
  const shell = await HeadlessShell.start({
    app: context.app(`spare-${standbyReplicas}`),
    settings: { driver: 'docker', mode: 'manual', minReplicas: 1, maxReplicas: 4, standbyReplicas },
    desired: 1,
  });
  try {
    for (let run = 0; run < runs; run++) {
      await waitFor(async () => {
        const snapshot = await shell.snapshot();
        const ready = snapshot.replicas.filter((r) => r.state === 'ready').length;
        const spares = snapshot.replicas.filter((r) => r.state === 'standby').length;
        return ready === 1 && spares === standbyReplicas && snapshot.replicas.length === 1 + standbyReplicas ? true : null;
      }, 60_000, `1 serving replica and ${standbyReplicas} spare(s)`, 100);
      const known = await hostsServing(shell.frontend, 1);
      const requestedAt = Date.now();
      await shell.scale(2);
      const result = await waitForNewHost(shell.frontend, known, 30_000, 1);
      failed += result.failed;
      if (result.at !== null) times.push(result.at - requestedAt);
      await shell.scale(1);
    }
  } finally {
    await shell.stop();
  }
  return { times, failed };
}

/** p99 latency of steady load over a scale-out 1 -> 2, with the new replica ramped over slowStartS or not. */
async function scaleOutLatency(context: BenchContext, slowStartS: number, runs: number): Promise<{ p99: number[]; issued: number; ok2xx: number }> {
  const p99: number[] = [];
  let [issued, ok2xx] = [0, 0];
  const shell = await HeadlessShell.start({
    app: context.app(`slow-${slowStartS}`),
    settings: { driver: 'docker', mode: 'manual', minReplicas: 1, maxReplicas: 4, slowStartS, cpuLimit: 0.5 },
    desired: 1,
  });
  try {
    for (let run = 0; run < runs; run++) {
      await shell.waitForReplicas(1, 60_000);
      // 40 requests/s of 5 ms CPU: within one replica's limit, so the latency seen is the new replica's cold start.
      const load = runLoad({ url: new URL('/work?ms=5', shell.frontend).toString(), rate: 40, durationS: 12, connections: 8 });
      await sleep(3_000);
      await shell.scale(2);
      const report = await load.done;
      issued += report.issued;
      ok2xx += report.ok2xx;
      p99.push(report.latencyP99Ms);
      await shell.scale(1);
    }
  } finally {
    await shell.stop();
  }
  return { p99, issued, ok2xx };
}

export async function zeroAndSparesFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const runs = runsFor(context, 10, 4);
  const result: FigureResult = { id: 'zero-and-spares', title: 'Scale to zero, warm spares, slow start', rows: [], findings: [], durationS: 0 };

  context.log(`zero-and-spares: cold start at zero replicas, docker driver, ${runs} runs`);
  const cold = await coldStarts(context, 0, runs);
  const coldRow = row({ figure: FIGURE, subject: 'ScaleDeck (docker), no spare', measure: 'first request at zero replicas -> its answer', unit: 's', values: cold.times.map(seconds), note: cold.failed ? `${cold.failed} request(s) not answered 200` : undefined });
  if (coldRow.spread) coldRow.goal = { text: `median <= ${COLD_GOAL_S} s`, met: coldRow.spread.median <= COLD_GOAL_S && cold.failed === 0 };
  context.log(`zero-and-spares: first request at zero with a warm spare, ${runs} runs`);
  const warmZero = await coldStarts(context, 1, runs);
  const warmZeroRow = row({ figure: FIGURE, subject: 'ScaleDeck (docker), 1 spare', measure: 'first request at zero replicas -> its answer', unit: 's', values: warmZero.times.map(seconds), note: warmZero.failed ? `${warmZero.failed} request(s) not answered 200` : undefined });

  context.log(`zero-and-spares: scale-out 1 -> 2 with and without a spare, ${runs} runs each`);
  const spare = await scaleOuts(context, 1, runs);
  const spareRow = row({ figure: FIGURE, subject: 'ScaleDeck (docker), 1 spare', measure: 'scale request -> new replica answers', unit: 'ms', values: spare.times, note: spare.failed ? `${spare.failed} failed probe(s)` : undefined });
  if (spareRow.spread) spareRow.goal = { text: `median <= ${SPARE_GOAL_MS} ms`, met: spareRow.spread.median <= SPARE_GOAL_MS && spare.failed === 0 };
  const coldOut = await scaleOuts(context, 0, runs);
  const coldOutRow = row({ figure: FIGURE, subject: 'ScaleDeck (docker), no spare', measure: 'scale request -> new replica answers', unit: 'ms', values: coldOut.times, note: coldOut.failed ? `${coldOut.failed} failed probe(s)` : undefined });

  const latencyRuns = runsFor(context, 4, 2);
  context.log(`zero-and-spares: p99 latency over a scale-out, slow start off and 5 s, ${latencyRuns} runs each`);
  const rows = [coldRow, warmZeroRow, spareRow, coldOutRow];
  for (const slowStartS of [0, 5]) {
    const latency = await scaleOutLatency(context, slowStartS, latencyRuns);
    rows.push(row({ figure: FIGURE, subject: `ScaleDeck (docker), slowStartS ${slowStartS}`, measure: 'p99 latency, 12 s of 40 req/s over a scale-out 1 -> 2', unit: 'ms', values: latency.p99, note: `issued ${latency.issued}, ok2xx ${latency.ok2xx}` }));
  }
  result.rows.push(...rows);
  result.findings.push('A spare is promoted with one runtime command (set server state ready); the figure includes the frontend probe that sees it (1 ms apart) and the control plane\'s HTTP round trip.');
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}

