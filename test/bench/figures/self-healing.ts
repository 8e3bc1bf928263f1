// Figure 8: how fast ScaleDeck heals: a replica killed under it (docker kill) is replaced and serving again; a
// haproxy master killed with -9 is restarted with every ready replica registered again.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { runsFor, type BenchContext } from '../bench-context.js';
import { hostsServing } from '../frontend-probe.js';
import { HeadlessShell, sleep, waitFor } from '../headless-shell.js';
import { row, seconds, type FigureResult } from '../summary.js';

const REPLACED_GOAL_S = 10;
const HAPROXY_BACK_GOAL_S = 5;

async function replacementTimes(shell: HeadlessShell, runs: number): Promise<number[]> {
  const docker = new Dockerode();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const before = await shell.waitForReplicas(2, 60_000);
    const victim = before.replicas[0]!;
    const killedAt = Date.now();
    await docker.getContainer(victim.id).kill();
    // Serving again: two ready replicas, none of them the victim, and the frontend answering from both.
    await waitFor(async () => {
      const replicas = (await shell.snapshot()).replicas;
      return replicas.length === 2 && replicas.every((r) => r.state === 'ready' && r.id !== victim.id);
    }, 60_000, 'a replacement to be ready');
    await waitFor(async () => (await hostsServing(shell.frontend, 8)).size === 2, 30_000, 'both replicas answering');
    times.push(seconds(Date.now() - killedAt));
  }
  return times;
}

async function haproxyBackTimes(shell: HeadlessShell, runs: number): Promise<number[]> {
  const pidFile = path.join(shell.dataDir, 'haproxy.pid');
  const masterPid = () => Number(readFileSync(pidFile, 'utf8').trim().split('\n')[0]);
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    await shell.waitForReplicas(2, 60_000);
    const oldPid = masterPid();
    const killedAt = Date.now();
    process.kill(oldPid, 'SIGKILL');
    await waitFor(async () => {
      if (masterPid() === oldPid) return false;
      return (await hostsServing(shell.frontend, 8).catch(() => new Set<string>())).size === 2;
    }, 60_000, 'HAProxy to be back with both replicas', 25);
    times.push(seconds(Date.now() - killedAt));
    await sleep(500);
  }
  return times;
}

export async function selfHealingFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const runs = runsFor(context, 5, 2);
  const result: FigureResult = { id: 'self-healing', title: 'Self-healing', rows: [], findings: [], durationS: 0 };
  const shell = await HeadlessShell.start({ app: context.app('heal'), settings: { driver: 'docker', mode: 'manual', minReplicas: 1, maxReplicas: 4 }, desired: 2 });
  try {
    context.log(`self-healing: docker kill of a replica, ${runs} runs`);
    const replaced = row({ figure: '8 self-healing', subject: 'ScaleDeck (docker)', measure: 'docker kill -> replacement serving', unit: 's', values: await replacementTimes(shell, runs) });
    if (replaced.spread) replaced.goal = { text: `max < ${REPLACED_GOAL_S} s`, met: replaced.spread.max < REPLACED_GOAL_S };
    context.log(`self-healing: kill -9 of the haproxy master, ${runs} runs`);
    const back = row({ figure: '8 self-healing', subject: 'ScaleDeck (docker)', measure: 'kill -9 haproxy -> serving with every replica', unit: 's', values: await haproxyBackTimes(shell, runs) });
    if (back.spread) back.goal = { text: `max < ${HAPROXY_BACK_GOAL_S} s`, met: back.spread.max < HAPROXY_BACK_GOAL_S };
    result.rows.push(replaced, back);
  } finally {
    await shell.stop();
  }
  result.findings.push('These were wall-clock goals in the integration tests; the tests now check only that healing happens, and this figure says how fast.');
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}
