// A latency rule end to end: /work load on real Docker replicas behind a real HAProxy raises the p95 that HAProxy's
// own request log reports, sampled once the rate passes what the log keeps, and the control plane adds a replica
// naming that rule, beside a rule that stays quiet; forged log lines and a p95 from a handful of requests do not.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../electron/contract/contract.js';
import { LOG_LINES_PER_S, MIN_LATENCY_SAMPLE } from '../../electron/core/metrics/latency-sampling.js';
import { createPrometheusRegistry } from '../../electron/core/metrics/prometheus.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { runLoad, startPlane, waitFor, type LoadRun, type PlaneFixture } from '../support/control-plane-fixture.js';
import { sleep } from '../support/waiting.js';

/** Both tests: one or two Docker replicas in auto mode, deciding every second after two samples in a row. */
const AUTOSCALING_ONE_OR_TWO = {
  driver: 'docker',
  mode: 'auto',
  policy: 'threshold',
  cpuLimit: 0.5,
  minReplicas: 1,
  maxReplicas: 2,
  breachSamples: 2,
  sampleIntervalMs: 1000,
  scaleUpCooldownS: 2,
} as const;

describe.skipIf(!hasHaproxy() || !hasDocker())('scaling on p95 latency', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('adds a replica when /work load pushes the sampled p95 above the latency rule, naming it, and goes back to one when idle', async () => {
    fixture = await startPlane({
      ...AUTOSCALING_ONE_OR_TWO,
      scaleDownCooldownS: 6,
      warmupS: 2,
      // The first rule cannot fire at this load; the latency rule must be the one that decides.
      rules: [
        { metric: 'rps-per-replica', scaleUpThreshold: 5000, scaleDownThreshold: 1, targetValue: 100 },
        { metric: 'latency-p95', scaleUpThreshold: 150, scaleDownThreshold: 60, targetValue: 100 },
      ],
    }, { desired: 1 });
    const plane = fixture.plane;
    await waitFor(() => fixture!.ready() === 1, 30_000, 'the first replica');

    // Idle-ish: requests of 5 ms CPU each stay well under the threshold; enough of them for a p95 to be given.
    const quiet = runLoad({ url: new URL('/work?ms=5', fixture.frontend).toString(), rate: 3 * MIN_LATENCY_SAMPLE, durationS: 3, connections: 4 });
    await quiet.done;
    await waitFor(() => (plane.snapshot().sample?.latencyP95Ms ?? null) !== null, 5_000, 'a p95 reading from the request log', 100);
    const idleP95 = plane.snapshot().sample?.latencyP95Ms as number;

    const p95s: number[] = [];
    const samples: Sample[] = [];
    const unsubscribe = plane.subscribe((message) => {
      if (message.type !== 'sample') return;
      samples.push(message.sample);
      if (message.sample.latencyP95Ms !== null) p95s.push(message.sample.latencyP95Ms);
    });
    // A sample whose p95 came from clearly fewer requests than were answered: the log was sampled.
    const isSampled = (s: Sample) => s.latencyP95Ms !== null && (s.latencySampleSize ?? Infinity) < 0.8 * (s.rps ?? 0);
    // Light requests first take the request rate past what the log keeps, so the p95 the rule reads is a sample's.
    const light = runLoad({ url: new URL('/', fixture.frontend).toString(), rate: 2 * LOG_LINES_PER_S, durationS: 40, connections: 32 });
    // /work holds its replica for 40 ms of wall time (longer when the 0.5 CPU limit throttles it), so one replica
    // answers at most 25 evenly paced requests/s: at 30/s requests queue and p95 climbs; two replicas keep up.
    let loadAt = Date.now();
    let load: LoadRun | undefined;
    try {
      await waitFor(() => samples.some(isSampled), 10_000, 'the request log to be sampled', 100);
      const sampledFrom = samples.length;
      loadAt = Date.now();
      load = runLoad({ url: new URL('/work?ms=40', fixture.frontend).toString(), rate: 30, durationS: 25, connections: 16 });
      await waitFor(() => plane.snapshot().desired === 2, 25_000, 'the latency rule to scale up', 100);
      const decidedS = (Date.now() - loadAt) / 1000;
      await waitFor(() => fixture!.ready() === 2, 30_000, 'the second replica serving', 100);
      const servingS = (Date.now() - loadAt) / 1000;
      const metrics = await createPrometheusRegistry(plane).metrics();
      load.stop();
      light.stop();
      const [report, lightReport] = await Promise.all([load.done, light.done]);
      // The readings above the threshold that the rule acted on, from the sampled log.
      const sampled = samples.slice(sampledFrom).filter((s) => isSampled(s) && (s.latencyP95Ms as number) > 150);
      // Idle: no request and a request rate of 0 read as 0 ms, so every rule is below its down-threshold.
      const idleAt = Date.now();
      await waitFor(() => plane.snapshot().desired === 1 && plane.snapshot().replicas.length === 1, 40_000, 'the scale-down once idle', 200);
      const downS = (Date.now() - idleAt) / 1000;
      const reasons = plane.snapshot().events.filter((e) => e.kind === 'scale').map((e) => e.message);
      console.log(`[latency rule] idle p95 ${idleP95} ms; p95 under load ${p95s.join(', ')} ms; scale-up decided ${decidedS.toFixed(1)} s and ` +
        `second replica serving ${servingS.toFixed(1)} s after load start; back to 1 replica ${downS.toFixed(1)} s after the load stopped; ` +
        `${report.requests} requests, ${report.non2xx} non-2xx, ${report.errors} errors; light: ${lightReport.requests} requests, ` +
        `${lightReport.non2xx} non-2xx, ${lightReport.errors} errors; p95 from ${sampled.map((s) => `${s.latencySampleSize} of ${Math.round(s.rps ?? 0)}/s`).join(', ')}` +
        `\n  ${reasons.join('\n  ')}`);

      expect(idleP95).toBeLessThan(150);
      expect(reasons.some((r) => /^1 -> 2: p95 latency \d+ ms > 150 ms for \d+ samples$/.test(r))).toBe(true);
      expect(reasons.at(-1)).toMatch(/^2 -> 1: rps per replica 0 < 1, p95 latency 0 ms < 60 ms for \d+ samples$/);
      expect(Math.max(...p95s)).toBeGreaterThan(150);
      // The log's sampling ratio follows the request rate a second late, and the rate now counts the backend's answered
      // requests (held and queued ones arrive later): of the breaching readings, at least one came from a sampled log.
      expect(sampled.length).toBeGreaterThanOrEqual(1);
      expect(metrics).toMatch(/^scaledeck_request_latency_p95_milliseconds\{service="web"\} \d+/m);
      expect(metrics).toMatch(/^scaledeck_replica_memory_percent\{service="web"\} [\d.]+/m);
      expect(report.non2xx + report.errors + lightReport.non2xx + lightReport.errors).toBe(0);
    } finally {
      unsubscribe();
      load?.stop();
      light.stop();
    }
  });

  it('does not scale on forged log lines nor on a p95 from too few requests, and says why it gives none', async () => {
    fixture = await startPlane({
      ...AUTOSCALING_ONE_OR_TWO,
      warmupS: 2,
      rules: [{ metric: 'latency-p95', scaleUpThreshold: 150, scaleDownThreshold: 1, targetValue: 100 }],
    }, { desired: 1 });
    const plane = fixture.plane;
    await waitFor(() => fixture!.ready() === 1, 30_000, 'the first replica');
    const port = Number(readFileSync(path.join(fixture.dataDir, 'request-log.port'), 'utf8'));
    const samples: Sample[] = [];
    const unsubscribe = plane.subscribe((message) => {
      if (message.type === 'sample') samples.push(message.sample);
    });
    const startedAt = Date.now();
    // Two slow requests a second (400 ms of CPU each at half a CPU): a real p95 far above 150 ms, from 2 requests.
    const sparse = runLoad({ url: new URL('/work?ms=400', fixture.frontend).toString(), rate: 2, durationS: 8, connections: 4 });
    // Meanwhile anyone on the machine sends lines of 5 s requests to the log port, without HAProxy's secret.
    const forger = createSocket('udp4');
    const forged = Buffer.from(`scaledeck-req ${'0'.repeat(32)} 5000 5000 200`);
    let sent = 0;
    try {
      const until = Date.now() + 8_000;
      while (Date.now() < until) {
        for (let i = 0; i < 50; i++) forger.send(forged, port, '127.0.0.1');
        sent += 50;
        await sleep(100);
      }
      const report = await sparse.done;
      await sleep(3_000);
      const scaleEvents = plane.snapshot().events.filter((e) => e.kind === 'scale' && e.at >= startedAt);
      const shortfalls = samples.filter((s) => s.latencyShortfall);
      console.log(`[latency rule, sparse and forged] ${sent} forged lines; ${report.requests} slow requests; ` +
        `p95s ${samples.map((s) => s.latencyP95Ms).join(', ')}; sample sizes ${samples.map((s) => s.latencySampleSize).join(', ')}; ` +
        `${shortfalls[0]?.latencyShortfall ?? 'no shortfall'}; scale events: ${scaleEvents.map((e) => e.message).join(' | ') || 'none'}`);

      expect(report.ok2xx).toBe(report.issued);
      expect(shortfalls.length).toBeGreaterThanOrEqual(3);
      expect(shortfalls[0]?.latencyShortfall).toMatch(new RegExp(`^p95 from \\d+ requests?, fewer than the ${MIN_LATENCY_SAMPLE} it needs: not acted on$`));
      expect(samples.every((s) => (s.latencySampleSize ?? 0) < MIN_LATENCY_SAMPLE && s.latencyP95Ms === null)).toBe(true);
      expect(plane.snapshot().desired).toBe(1);
      expect(scaleEvents).toEqual([]);
    } finally {
      unsubscribe();
      sparse.stop();
      forger.close();
    }
  });
});
