// Figure: rolling out a new version of 4 replicas under constant load: how long it takes, how many requests fail
// (goal 0), and when a client first saw the new version and last saw the old one.
import Dockerode from 'dockerode';
import { defaultSettings } from '../../../electron/contract/settings-schema.js';
import { runsFor, type BenchContext } from '../bench-context.js';
import { HeadlessShell, sleep, waitFor } from '../headless-shell.js';
import { runLoad } from '../load.js';
import { row, seconds, type FigureResult, type FigureRow } from '../summary.js';
import { onTeardown } from '../teardown.js';

const REPLICAS = 4;
const RATE = 150;
/** A second tag of the sample image: a new generation for ScaleDeck (the tag is part of what a replica is), made offline. */
const OTHER_TAG = 'rollout-bench';

const mixes = [
  { id: 'get', name: 'GET /', path: '/', method: 'GET' as const, body: undefined },
  // 64 KiB bodies: HAProxy cannot replay these, so only a drain before each stop keeps them from failing.
  { id: 'post', name: 'POST /echo 64 KiB', path: '/echo', method: 'POST' as const, body: Buffer.alloc(64 * 1024, 'x') },
];

interface RolloutRun {
  tookMs: number;
  failed: number;
  issued: number;
  ok2xx: number;
  firstNewMs: number;
  lastOldMs: number;
}

/** One rollout of every replica to `image` under load; times are from the settings change. */
async function rolloutUnderLoad(shell: HeadlessShell, mix: (typeof mixes)[number], image: string): Promise<RolloutRun> {
  const before = await shell.waitForReplicas(REPLICAS, 90_000);
  // The api answers with its container's host name: the first 12 hex digits of the container id.
  const oldHosts = new Set(before.replicas.map((r) => r.id.slice(0, 12)));
  const load = runLoad({ url: new URL(mix.path, shell.frontend).toString(), rate: RATE, durationS: 90, method: mix.method, body: mix.body });
  await sleep(2000);
  const changedAt = Date.now();
  await shell.request('PATCH', '/api/settings', { image });
  const tag = image.slice(image.lastIndexOf(':') + 1);
  await waitFor(async () => {
    const snapshot = await shell.snapshot();
    const done = snapshot.rollout.state === 'idle' && snapshot.replicas.length === REPLICAS &&
      snapshot.replicas.every((r) => r.state === 'ready' && r.generation.startsWith(`${tag} `));
    return done || null;
  }, 120_000, `every replica on ${image}`, 100);
  const tookMs = Date.now() - changedAt;
  await sleep(1000);
  load.stop();
  const report = await load.done;
  const newFirst = [...report.firstSeen].filter(([host]) => !oldHosts.has(host)).map(([, at]) => at);
  const oldLast = [...report.lastSeen].filter(([host]) => oldHosts.has(host)).map(([, at]) => at);
  return {
    tookMs,
    // Every failure counts, not only the rollout phase's: none is acceptable before or after it either.
    failed: report.issued - report.ok2xx,
    issued: report.issued,
    ok2xx: report.ok2xx,
    firstNewMs: newFirst.length > 0 ? Math.min(...newFirst) - changedAt : NaN,
    lastOldMs: oldLast.length > 0 ? Math.max(...oldLast) - changedAt : NaN,
  };
}

export async function rolloutFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const rounds = runsFor(context, 3, 1);
  const result: FigureResult = { id: 'rollout', title: 'Rolling out a new version', rows: [], findings: [], durationS: 0 };
  const docker = new Dockerode();
  const source = defaultSettings.image;
  const other = `${source.slice(0, source.lastIndexOf(':'))}:${OTHER_TAG}`;
  await docker.getImage(source).tag({ repo: other.slice(0, other.lastIndexOf(':')), tag: OTHER_TAG });
  const removeTag = onTeardown(`remove the image tag ${other}`, () => docker.getImage(other).remove().then(() => undefined, () => undefined));
  try {
    for (const mix of mixes) result.rows.push(...(await rowsFor(context, mix, rounds, source, other)));
  } finally {
    await removeTag();
  }
  result.findings.push(
    'Surge 1: each new replica is UP in HAProxy before an old one drains, so the old version answers until the last step and the new one from the first.',
    'The client-side times are those of evenly paced requests, one every 1/rate s: they place the switch within that interval.',
  );
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}

/** Rounds of rollouts to and fro between the two tags on one shell, as rows of the figure. */
async function rowsFor(context: BenchContext, mix: (typeof mixes)[number], rounds: number, source: string, other: string): Promise<FigureRow[]> {
  const shell = await HeadlessShell.start({ app: context.app(`roll-${mix.id}`), settings: { driver: 'docker', mode: 'manual' }, desired: REPLICAS });
  const runs: RolloutRun[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const image = round % 2 === 0 ? other : source;
      context.log(`rollout: ${mix.name}, ${REPLICAS} replicas to ${image} at ${RATE} req/s (round ${round + 1} of ${rounds})`);
      runs.push(await rolloutUnderLoad(shell, mix, image));
    }
  } finally {
    await shell.stop();
  }
  const subject = `ScaleDeck, ${REPLICAS} replicas, ${mix.name}`;
  const failed = runs.reduce((sum, r) => sum + r.failed, 0);
  const issued = runs.reduce((sum, r) => sum + r.issued, 0);
  const ok2xx = runs.reduce((sum, r) => sum + r.ok2xx, 0);
  const failures = row({
    figure: 'rollout', subject, measure: 'failed requests per rollout', unit: '', values: runs.map((r) => r.failed),
    note: `issued ${issued}, ok2xx ${ok2xx}: ${failed} failed at ${RATE} req/s`,
  });
  failures.goal = { text: '0', met: failed === 0 };
  return [
    row({ figure: 'rollout', subject, measure: 'time to replace every replica', unit: 's', values: runs.map((r) => seconds(r.tookMs)) }),
    failures,
    row({ figure: 'rollout', subject, measure: 'first answer from the new version after the change', unit: 's', values: runs.map((r) => seconds(r.firstNewMs)) }),
    row({ figure: 'rollout', subject, measure: 'last answer from the old version after the change', unit: 's', values: runs.map((r) => seconds(r.lastOldMs)) }),
  ];
}
