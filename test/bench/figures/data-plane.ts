// Figure 5: what HAProxy costs on the request path, measured beside its floor in one run: the same replica direct,
// through a bare HAProxy, through ScaleDeck's config without and with the request log; and the sampled p95 against
// the full log's.
import { createSocket } from 'node:dgram';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { renderHaproxyConfig } from '../../../haproxy/config.js';
import { HaproxySupervisor } from '../../../haproxy/supervisor.js';
import { runsFor, type BenchContext } from '../bench-context.js';
import { HeadlessShell, benchTempDir, freePort, stopHaproxyOf } from '../headless-shell.js';
import { runThroughput, type ThroughputReport } from '../throughput-load.js';
import { row, seconds, type FigureResult } from '../summary.js';
import { tcpActiveOpens, tcpTimeWait } from '../tcp-counters.js';
import { onTeardown } from '../teardown.js';
import { haproxyCpuMs, haproxyThreads, pinHaproxy, startBareHaproxy, startScaledeckTaggingSample, startScaledeckWithLog, startScaledeckWithoutLog, type BenchHaproxy } from '../haproxy-beside.js';
import { TaggedLogListener, type SampledVersusFull } from '../sampled-p95.js';
import { configPartCosts } from '../config-costs.js';
import { pidfilePath } from '../../../haproxy/config.js';
import { keptPerScale } from '../../../electron/core/metrics/latency-sampling.js';
import { runWrk, wrkInstalled } from '../wrk-load.js';

const CONNECTIONS = 10;
// On a machine of two or more CPUs the load generator runs on one and every HAProxy on another: unpinned, they and the
// replica moved between both cores and, with autocannon, the floor's own rate spread 91-118 % of its median over 4 rounds, 93-101 % pinned.
const PINNED = availableParallelism() >= 2;
const GENERATOR_CPU = 0;
const HAPROXY_CPU = 1;
// wrk when installed; autocannon otherwise (heavier, and its latencies are whole milliseconds).
const WRK = wrkInstalled();

interface Measured extends ThroughputReport {
  /** New TCP connections on the machine per request answered: about 0 with keep-alive, about 1 without. */
  opensPerRequest: number;
  /** Closed connections still holding a local port after the run: tens of thousands slow every new connect(). */
  timeWaitAfter: number;
  /** CPU HAProxy's workers spent per 1,000 requests answered, ms (from /proc/PID/stat); null without an HAProxy. */
  haproxyCpuMsPer1000: number | null;
}

async function measure(url: string, durationS: number, haproxyPidfile?: string): Promise<Measured> {
  const before = tcpActiveOpens();
  const cpuBefore = haproxyPidfile === undefined ? 0 : haproxyCpuMs(haproxyPidfile);
  const report = WRK ? await runWrk({ url, durationS, connections: CONNECTIONS, cpu: GENERATOR_CPU }) : await runThroughput({ url, durationS, connections: CONNECTIONS });
  const haproxyCpuMsPer1000 = haproxyPidfile === undefined ? null : ((haproxyCpuMs(haproxyPidfile) - cpuBefore) / Math.max(1, report.requests)) * 1000;
  return { ...report, opensPerRequest: (tcpActiveOpens() - before) / Math.max(1, report.requests), timeWaitAfter: tcpTimeWait(), haproxyCpuMsPer1000 };
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

/** One path the figure loads: its name, URL and, behind an HAProxy, that HAProxy's pid file. */
interface Path {
  subject: string;
  url: string;
  pidfile?: string;
  runs: Measured[];
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function dataPlaneFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  // More and shorter rounds than 5 of 5 s: a neighbour's burst spoils one short run, not a fifth of the figure.
  const rounds = runsFor(context, 9, 3);
  const durationS = context.quick ? 2 : 3;
  const result: FigureResult = { id: 'data-plane', title: 'Data-plane overhead beside the floor', rows: [], findings: [], durationS: 0 };
  const shell = await HeadlessShell.start({ app: context.app('dataplane'), settings: { driver: 'docker', mode: 'manual' }, desired: 1 });
  const beside: BenchHaproxy[] = [];
  const sink = createSocket('udp4');
  try {
    const snapshot = await shell.waitForReplicas(1, 60_000);
    const replica = snapshot.replicas[0];
    if (!replica) throw new Error('The shell reported one ready replica but listed none');
    const bare = await startBareHaproxy(replica.hostPort);
    beside.push(bare);
    const withoutLog = await startScaledeckWithoutLog(replica.hostPort);
    beside.push(withoutLog);
    // Where (c2) sends its sampled lines: bound, so they are received and dropped as ScaleDeck's listener would take them.
    await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', () => resolve()));
    const withLog = await startScaledeckWithLog(replica.hostPort, sink.address().port);
    beside.push(withLog);
    const paths: Path[] = [
      { subject: '(a) one replica, direct (host port)', url: `http://127.0.0.1:${replica.hostPort}/`, runs: [] },
      { subject: '(b) bare HAProxy, minimal config', url: bare.frontend, pidfile: bare.pidfile, runs: [] },
      { subject: '(c) ScaleDeck\'s HAProxy config, latency off', url: withoutLog.frontend, pidfile: withoutLog.pidfile, runs: [] },
      { subject: '(d) ScaleDeck\'s HAProxy, latency on (sampled log)', url: shell.frontend, pidfile: pidfilePath(shell.dataDir), runs: [] },
      // (d)'s config without the app around it (servers from the config, no runtime commands): splits the log's cost from the rest.
      { subject: '(c2) ScaleDeck\'s HAProxy config, sampled log, no app', url: withLog.frontend, pidfile: withLog.pidfile, runs: [] },
    ];
    if (PINNED) for (const path of paths) if (path.pidfile !== undefined) await pinHaproxy(path.pidfile, HAPROXY_CPU);
    const generator = WRK ? 'wrk (1 thread)' : 'autocannon (in the bench process; wrk is not installed)';
    context.log(`data-plane: ${rounds} rounds of ${durationS} s runs after 1 s of warm-up each, ${CONNECTIONS} connections from ${generator}` +
      `${PINNED ? `, generator on CPU ${GENERATOR_CPU}, every HAProxy on CPU ${HAPROXY_CPU}` : ''}, GET / on ${paths.map((p) => p.url).join(', ')}`);
    // Warms every path (JIT, connection pools, the sampling ratio of (d)) so the first round is not the odd one out.
    for (const path of paths) {
      const warm = await measure(path.url, 1, path.pidfile);
      // ScaleDeck sets (d)'s sampling from the rate it sees; (c2) gets the same ratio.
      if (path.url === withLog.frontend) await withLog.keep(keptPerScale(warm.requestsPerSecond, null));
    }
    for (let round = 0; round < rounds; round++) {
      // Round-robin, so a neighbour's burst on the shared machine hits every path alike; each run warmed, since the
      // path before it left its own connections and caches behind.
      for (const path of paths) {
        await measure(path.url, 1);
        path.runs.push(await measure(path.url, durationS, path.pidfile));
      }
    }
    const [direct, floor, off, on, configWithLog] = paths as [Path, Path, Path, Path, Path];
    const ms = (value: number) => Number(value.toFixed(2));
    const describe = (runs: Measured[]) => `p50 latency ${runs.map((r) => ms(r.latencyP50Ms)).join('/')} ms, p99 ${runs.map((r) => ms(r.latencyP99Ms)).join('/')} ms; ` +
      `${runs.map((r) => r.opensPerRequest.toFixed(2)).join('/')} new TCP connections per request, ${runs.map((r) => r.timeWaitAfter).join('/')} TIME-WAIT sockets after; ` +
      `${runs.reduce((sum, r) => sum + r.non2xx + r.errors, 0)} failed`;
    const figure = '5 data plane';
    for (const path of paths) {
      result.rows.push(row({ figure, subject: path.subject, measure: 'requests/s', unit: 'req/s', values: path.runs.map((r) => r.requestsPerSecond), note: describe(path.runs) }));
    }
    const behind = [floor, off, on, configWithLog];
    for (const path of behind) {
      result.rows.push(row({
        figure, subject: path.subject, measure: 'HAProxy worker CPU per 1,000 requests', unit: 'ms', values: path.runs.map((r) => r.haproxyCpuMsPer1000 ?? Number.NaN),
        note: `${haproxyThreads(path.pidfile as string)} threads serving`,
      }));
    }
    // An HAProxy with more threads than another would not be the same comparison: 2.6 starts one per CPU unless told.
    const threads = behind.map((path) => haproxyThreads(path.pidfile as string));
    if (new Set(threads).size > 1) result.findings.push(`the HAProxies compared run unequal thread counts (${threads.join('/')} for (b)/(c)/(d)/(c2)): the comparison is not like for like`);
    const perRound = (a: Path, b: Path, pick: (r: Measured) => number) => a.runs.map((r, i) => pick(r) / pick(b.runs[i] as Measured));
    const onOverFloor = perRound(on, floor, (r) => r.requestsPerSecond);
    const offOverFloor = perRound(off, floor, (r) => r.requestsPerSecond);
    const p99OnOverFloor = perRound(on, floor, (r) => r.latencyP99Ms);
    result.rows.push(
      row({ figure, subject: '(b) bare HAProxy / (a) direct', measure: 'ratio of requests/s (per round)', unit: '', values: perRound(floor, direct, (r) => r.requestsPerSecond) }),
      row({
        figure, subject: '(c) latency off / (b) bare', measure: 'ratio of requests/s (per round)', unit: '', values: offOverFloor,
        goal: { text: 'median within noise of 1 (0.95 - 1.05)', met: Math.abs(median(offOverFloor) - 1) <= 0.05 },
      }),
      row({ figure, subject: '(c2) config with sampled log / (b) bare', measure: 'ratio of requests/s (per round)', unit: '', values: perRound(configWithLog, floor, (r) => r.requestsPerSecond) }),
      row({
        figure, subject: '(d) latency on / (b) bare', measure: 'ratio of requests/s (per round)', unit: '', values: onOverFloor,
        goal: { text: 'median >= 0.95', met: median(onOverFloor) >= 0.95 },
      }),
      row({
        figure, subject: '(d) latency on / (b) bare', measure: 'ratio of p99 latency (per round)', unit: '', values: p99OnOverFloor,
        goal: { text: 'median <= 1.10', met: median(p99OnOverFloor) <= 1.1 },
      }),
    );
    const floorRps = floor.runs.map((r) => r.requestsPerSecond);
    result.findings.push(`noise: the floor's own requests/s spread ${((Math.min(...floorRps) / median(floorRps)) * 100).toFixed(0)}-${((Math.max(...floorRps) / median(floorRps)) * 100).toFixed(0)} % ` +
      `of its median over ${rounds} rounds on this shared machine; a ratio within that spread of 1 is within noise`);
    if (Math.abs(median(offOverFloor) - 1) > 0.05) result.findings.push(`(c) answers ${(median(offOverFloor) * 100).toFixed(1)} % of the floor's requests/s, ${(Math.abs(median(offOverFloor) - 1) * 100 - 5).toFixed(1)} points outside 95-105 %`);
    if (median(onOverFloor) < 0.95) result.findings.push(`(d) answers ${(median(onOverFloor) * 100).toFixed(1)} % of the floor's requests/s, ${(95 - median(onOverFloor) * 100).toFixed(1)} points short of the goal`);
    if (median(p99OnOverFloor) > 1.1) result.findings.push(`(d)'s p99 is ${(median(p99OnOverFloor) * 100).toFixed(1)} % of the floor's, ${(median(p99OnOverFloor) * 100 - 110).toFixed(1)} points past the goal`);

    // GET / at saturation answers within a millisecond; /work?ms=2 queues on the replica's CPU limit, a p95 of tens of ms.
    for (const route of ['/', '/work?ms=2']) {
      const comparison = await sampledVersusFull(replica.hostPort, route, durationS);
      result.rows.push(row({
        figure, subject: `sampled p95 vs the full log's, per second, same requests (GET ${route})`, measure: 'largest gap', unit: 'ms', values: [comparison.worstGapMs],
        goal: { text: 'every second within 10 % or 5 ms', met: comparison.seconds > 0 && comparison.secondsWithin === comparison.seconds },
        note: `${comparison.secondsWithin} of ${comparison.seconds} seconds within; whole run: full p95 ${comparison.fullP95Ms} ms, sampled ${comparison.sampledP95Ms} ms; ` +
          `${comparison.linesPerS.toFixed(0)} requests/s, ${comparison.sampledPerS.toFixed(0)} of them sampled`,
      }));
    }

    const opens = Math.min(...on.runs.map((r) => r.opensPerRequest));
    if (opens >= 0.9) {
      result.findings.push(`every request through HAProxy opened new TCP connections (${opens.toFixed(2)} per request, direct: ` +
        `${Math.max(...direct.runs.map((r) => r.opensPerRequest)).toFixed(2)}): HAProxy keeps no idle connection to a server added with "add server", ` +
        `and the TIME-WAIT sockets this leaves (${Math.max(...on.runs.map((r) => r.timeWaitAfter))} after a run) slow every later connect` +
        `${context.profile ? '' : '; `--profile` compares with a server slot declared in the config'}`);
    }
    if (context.profile) {
      context.log('data-plane: the same replica behind a server slot declared in the config');
      const slot = await throughStaticSlot(replica.hostPort, durationS);
      result.findings.push(`through a server-template slot (declared in the config, pointed at the replica at run time) instead of a server added with "add server": ` +
        `${slot.requestsPerSecond.toFixed(0)} req/s, ${slot.opensPerRequest.toFixed(2)} new TCP connections per request, p50 latency ${slot.latencyP50Ms} ms`);
      context.log('data-plane: the price of each part of ScaleDeck\'s config over the bare one');
      result.rows.push(...await configPartCosts({
        replicaPort: replica.hostPort, floor: bare, full: withoutLog, rounds, durationS: 3, figure,
        load: (url, durationS) => measure(url, durationS),
        pin: async (pidfile) => { if (PINNED) await pinHaproxy(pidfile, HAPROXY_CPU); },
      }));
    }
  } finally {
    for (const haproxy of beside) await haproxy.stop();
    sink.close();
    await shell.stop();
  }
  result.durationS = seconds(Date.now() - startedAt);
  return result;
}

/**
 * Load on `route` through ScaleDeck's config, sampled as ScaleDeck samples at the rate a first second reaches, with
 * every line kept and the sampled ones marked, so both p95s come from the same requests.
 */
async function sampledVersusFull(replicaPort: number, route: string, durationS: number): Promise<SampledVersusFull> {
  const listener = new TaggedLogListener();
  // A failed start must still close the listener's socket, or the run never exits.
  const haproxy = await startScaledeckTaggingSample(replicaPort, await listener.start()).catch(async (error: unknown) => {
    await listener.close();
    throw error;
  });
  try {
    const url = new URL(route, haproxy.frontend).toString();
    const warm = await measure(url, 1);
    await haproxy.keep(keptPerScale(warm.requestsPerSecond, null));
    listener.clear();
    await measure(url, durationS + 2);
    return listener.compare();
  } finally {
    await haproxy.stop();
    await listener.close();
  }
}
