// Figure 5: what HAProxy costs on the request path: requests/s through the frontend against the same replica direct.
import { rmSync } from 'node:fs';
import { renderHaproxyConfig } from '../../../haproxy/config.js';
import { HaproxySupervisor } from '../../../haproxy/supervisor.js';
import { runsFor, type BenchContext } from '../bench-context.js';
import { HeadlessShell, benchTempDir, freePort, stopHaproxyOf } from '../headless-shell.js';
import { runThroughput, type ThroughputReport } from '../throughput-load.js';
import { row, seconds, type FigureResult } from '../summary.js';
import { tcpActiveOpens, tcpTimeWait } from '../tcp-counters.js';
import { onTeardown } from '../teardown.js';

const CONNECTIONS = 10;

interface Measured extends ThroughputReport {
  /** New TCP connections on the machine per request answered: about 0 with keep-alive, about 1 without. */
  opensPerRequest: number;
  /** Closed connections still holding a local port after the run: tens of thousands slow every new connect(). */
  timeWaitAfter: number;
}

async function measure(url: string, durationS: number): Promise<Measured> {
  const before = tcpActiveOpens();
  const report = await runThroughput({ url, durationS, connections: CONNECTIONS });
  return { ...report, opensPerRequest: (tcpActiveOpens() - before) / Math.max(1, report.requests), timeWaitAfter: tcpTimeWait() };
}

/**
 * The same replica behind an HAProxy whose backend declares a server slot in its config (server-template) that is
 * then pointed at the replica over the runtime API, instead of a server added with `add server`: tells apart what
 * HAProxy costs from what a server added at run time costs.
 */
async function throughStaticSlot(replicaPort: number, durationS: number): Promise<Measured> {
  const dataDir = benchTempDir();
  const [frontendPort, statsPort] = [await freePort(), await freePort()];
  const supervisor = new HaproxySupervisor({
    dataDir,
    // ScaleDeck's own config, with two server slots declared at the end of its backend.
    renderConfig: () => renderHaproxyConfig({ dataDir, frontendHost: '127.0.0.1', frontendPort, statsPort, healthPath: '/healthz', backendName: 'slots' })
      .replace(/^(backend slots\n(?: {4}.*\n)*)/m, '$1    server-template slot 1-2 0.0.0.0:1 disabled\n'),
  });
  const release = onTeardown(`the static-slot HAProxy in ${dataDir}`, async () => {
    await supervisor.stop().catch(() => undefined);
    await stopHaproxyOf(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    await supervisor.start();
    await supervisor.client.command(`set server slots/slot1 addr 127.0.0.1 port ${replicaPort}`);
    await supervisor.client.setState('slots', 'slot1', 'ready');
    const frontend = `http://127.0.0.1:${frontendPort}/`;
    await measure(frontend, 1);
    return await measure(frontend, durationS);
  } finally {
    await release();
  }
}

export async function dataPlaneFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const pairs = runsFor(context, 3, 2);
  const durationS = context.quick ? 3 : 5;
  const result: FigureResult = { id: 'data-plane', title: 'Data-plane overhead', rows: [], findings: [], durationS: 0 };
  const shell = await HeadlessShell.start({ app: context.app('dataplane'), settings: { driver: 'docker', mode: 'manual' }, desired: 1 });
  try {
    const snapshot = await shell.waitForReplicas(1, 60_000);
    const replica = snapshot.replicas[0];
    if (!replica) throw new Error('The shell reported one ready replica but listed none');
    const direct = `http://127.0.0.1:${replica.hostPort}/`;
    context.log(`data-plane: ${pairs} pairs of ${durationS} s runs, ${CONNECTIONS} connections, GET / direct (${direct}) and through ${shell.frontend}`);
    // Warms both paths (JIT, connection pools) so the first measured pair is not the odd one out.
    await measure(direct, 1);
    await measure(shell.frontend, 1);
    const directRuns: Measured[] = [];
    const proxiedRuns: Measured[] = [];
    for (let pair = 0; pair < pairs; pair++) {
      // Alternating, so a neighbour's burst on the shared machine hits both sides alike.
      directRuns.push(await measure(direct, durationS));
      proxiedRuns.push(await measure(shell.frontend, durationS));
    }
    const describe = (runs: Measured[]) => `p50 latency ${runs.map((r) => r.latencyP50Ms).join('/')} ms, p99 ${runs.map((r) => r.latencyP99Ms).join('/')} ms; ` +
      `${runs.map((r) => r.opensPerRequest.toFixed(2)).join('/')} new TCP connections per request, ${runs.map((r) => r.timeWaitAfter).join('/')} TIME-WAIT sockets after; ` +
      `${runs.reduce((sum, r) => sum + r.non2xx + r.errors, 0)} failed`;
    result.rows.push(
      row({ figure: '5 data plane', subject: 'one replica, direct (host port)', measure: 'requests/s', unit: 'req/s', values: directRuns.map((r) => r.requestsPerSecond), note: describe(directRuns) }),
      row({ figure: '5 data plane', subject: 'the same replica through HAProxy', measure: 'requests/s', unit: 'req/s', values: proxiedRuns.map((r) => r.requestsPerSecond), note: describe(proxiedRuns) }),
      row({
        figure: '5 data plane',
        subject: 'through HAProxy / direct',
        measure: 'ratio of requests/s (per pair)',
        unit: '',
        values: proxiedRuns.map((r, i) => r.requestsPerSecond / (directRuns[i] as Measured).requestsPerSecond),
      }),
    );
    const opens = Math.min(...proxiedRuns.map((r) => r.opensPerRequest));
    if (opens >= 0.9) {
      result.findings.push(`every request through HAProxy opened new TCP connections (${opens.toFixed(2)} per request, direct: ` +
        `${Math.max(...directRuns.map((r) => r.opensPerRequest)).toFixed(2)}): HAProxy keeps no idle connection to a server added with "add server", ` +
        `and the TIME-WAIT sockets this leaves (${Math.max(...proxiedRuns.map((r) => r.timeWaitAfter))} after a run) slow every later connect` +
        `${context.profile ? '' : '; `--profile` compares with a server slot declared in the config'}`);
    }
    if (context.profile) {
      context.log('data-plane: the same replica behind a server slot declared in the config');
      const slot = await throughStaticSlot(replica.hostPort, durationS);
      result.findings.push(`through a server-template slot (declared in the config, pointed at the replica at run time) instead of a server added with "add server": ` +
        `${slot.requestsPerSecond.toFixed(0)} req/s, ${slot.opensPerRequest.toFixed(2)} new TCP connections per request, p50 latency ${slot.latencyP50Ms} ms`);
    }
  } finally {
    await shell.stop();
  }
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}
