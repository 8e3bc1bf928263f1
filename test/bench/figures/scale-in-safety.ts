// Figure 3: failed requests while scaling 1 -> 3 -> 1 repeatedly under constant load: ScaleDeck's drain against
// the seed's kill, with the seed's HAProxy settings and with ScaleDeck's (to separate the config from the removal).
import { runsFor, type BenchContext } from '../bench-context.js';
import { hostsServing } from '../frontend-probe.js';
import { HeadlessShell, sleep, waitFor } from '../headless-shell.js';
import { runLoad, type FailureCounts, type LoadReport } from '../load.js';
import { SeedBaseline } from '../seed-baseline.js';
import { row, seconds, type FigureResult } from '../summary.js';

const RATE = 150;
const HOLD_MS = 1000;

const mixes = [
  { id: 'get', name: 'GET /', path: '/', method: 'GET' as const, body: undefined },
  // 64 KiB bodies: HAProxy cannot replay these, so only a real drain keeps them from failing.
  { id: 'post', name: 'POST /echo 64 KiB', path: '/echo', method: 'POST' as const, body: Buffer.alloc(64 * 1024, 'x') },
];
type Mix = (typeof mixes)[number];

/** How a strategy scales: to a replica count, resolving once it has acted (and, for ScaleDeck, converged). */
interface Scaler {
  frontend: string;
  scaleTo(count: number): Promise<void>;
}

interface CycleFailures {
  afterOut: number;
  afterIn: number;
}

interface Outcome {
  cycles: CycleFailures[];
  report: LoadReport;
}

/** Starts a strategy with one replica serving, runs the work against it, and stops it again. */
type Harness = (mix: Mix, work: (scaler: Scaler) => Promise<Outcome>) => Promise<Outcome>;

const failures = (counts: FailureCounts | undefined) => (counts ? counts.non2xx + counts.errors : 0);

/** Runs `cycles` rounds of 1 -> 3 -> 1 under load; failures are counted per cycle and per direction. */
async function underLoad(scaler: Scaler, mix: Mix, cycles: number): Promise<Outcome> {
  const load = runLoad({
    url: new URL(mix.path, scaler.frontend).toString(),
    rate: RATE,
    durationS: 30 + cycles * 20,
    method: mix.method,
    body: mix.body,
  });
  await sleep(2000);
  for (let cycle = 0; cycle < cycles; cycle++) {
    load.setPhase(`out-${cycle}`);
    await scaler.scaleTo(3);
    await sleep(HOLD_MS);
    load.setPhase(`in-${cycle}`);
    await scaler.scaleTo(1);
    await sleep(HOLD_MS);
  }
  load.setPhase('steady');
  await sleep(1000);
  load.stop();
  const report = await load.done;
  const perCycle = Array.from({ length: cycles }, (_, cycle) => ({
    afterOut: failures(report.byPhase[`out-${cycle}`]),
    afterIn: failures(report.byPhase[`in-${cycle}`]),
  }));
  return { cycles: perCycle, report };
}

async function withScaleDeck(context: BenchContext, mix: Mix, work: (scaler: Scaler) => Promise<Outcome>): Promise<Outcome> {
  const shell = await HeadlessShell.start({ app: context.app(`in-sd-${mix.id}`), settings: { driver: 'docker', mode: 'manual' }, desired: 1 });
  try {
    await shell.waitForReplicas(1, 60_000);
    return await work({
      frontend: shell.frontend,
      scaleTo: async (count) => {
        await shell.scale(count);
        await shell.waitForReplicas(count, 90_000);
      },
    });
  } finally {
    await shell.stop();
  }
}

async function withBaseline(context: BenchContext, mix: Mix, style: 'seed' | 'scaledeck', work: (scaler: Scaler) => Promise<Outcome>): Promise<Outcome> {
  const baseline = await SeedBaseline.start({ app: context.app(`in-${style.slice(0, 4)}-${mix.id}`), driver: 'docker', style });
  try {
    await baseline.setReplicas(1);
    await waitFor(async () => (await hostsServing(baseline.frontend, 1)).size === 1, 30_000, 'one seed replica answering');
    return await work({ frontend: baseline.frontend, scaleTo: (count) => baseline.setReplicas(count) });
  } finally {
    await baseline.stop();
  }
}

export async function scaleInFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const cycles = runsFor(context, 5, 2);
  const result: FigureResult = { id: 'scale-in', title: 'Safety of scaling in', rows: [], findings: [], durationS: 0 };
  const strategies: Array<{ subject: string; harness: Harness; goal: boolean }> = [
    { subject: 'ScaleDeck (drain)', harness: (mix, work) => withScaleDeck(context, mix, work), goal: true },
    { subject: 'seed baseline (kill, seed HAProxy config)', harness: (mix, work) => withBaseline(context, mix, 'seed', work), goal: false },
    { subject: 'kill with ScaleDeck\'s HAProxy config', harness: (mix, work) => withBaseline(context, mix, 'scaledeck', work), goal: false },
  ];
  for (const mix of mixes) {
    for (const strategy of strategies) {
      context.log(`scale-in: ${strategy.subject}, ${mix.name}, ${cycles} x (1 -> 3 -> 1) at ${RATE} req/s`);
      const { cycles: perCycle, report } = await strategy.harness(mix, (scaler) => underLoad(scaler, mix, cycles));
      const afterOut = perCycle.reduce((sum, c) => sum + c.afterOut, 0);
      const afterIn = perCycle.reduce((sum, c) => sum + c.afterIn, 0);
      const total = report.non2xx + report.errors;
      const failed = row({
        figure: '3 scale-in safety',
        subject: `${strategy.subject}, ${mix.name}`,
        measure: 'failed requests per 1->3->1 cycle',
        unit: '',
        values: perCycle.map((c) => c.afterOut + c.afterIn),
        note: `issued ${report.issued}, ok2xx ${report.ok2xx}: ${total} failed (${report.non2xx} non-2xx, ${report.errors} without an answer); ` +
          `after scale-out ${afterOut}, after scale-in ${afterIn}; ${cycles * 4} scale events at ${report.requestsPerSecond.toFixed(0)} req/s`,
      });
      if (strategy.goal) failed.goal = { text: '0 in both mixes', met: total === 0 && report.ok2xx === report.issued };
      result.rows.push(failed);
    }
  }
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}
