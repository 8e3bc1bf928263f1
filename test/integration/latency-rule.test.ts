// A latency rule end to end: /work load on real Docker replicas behind a real HAProxy raises the p95 that HAProxy's
// own request log reports, and the control plane adds a replica naming that rule, beside a rule that stays quiet.
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusRegistry } from '../../electron/core/metrics/prometheus.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { runLoad, startPlane, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';

describe.skipIf(!hasHaproxy() || !hasDocker())('scaling on p95 latency', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('adds a replica when /work load pushes p95 above the latency rule, naming it, and goes back to one when idle', async () => {
    fixture = await startPlane({
      driver: 'docker',
      mode: 'auto',
      policy: 'threshold',
      cpuLimit: 0.5,
      minReplicas: 1,
      maxReplicas: 2,
      breachSamples: 2,
      sampleIntervalMs: 1000,
      scaleUpCooldownS: 2,
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

    // Idle-ish: a few requests of 20 ms CPU each stay well under the threshold.
    const quiet = runLoad({ url: new URL('/work?ms=20', fixture.frontend).toString(), rate: 4, durationS: 3, connections: 2 });
    await quiet.done;
    await waitFor(() => (plane.snapshot().sample?.latencyP95Ms ?? null) !== null, 5_000, 'a p95 reading from the request log', 100);
    const idleP95 = plane.snapshot().sample?.latencyP95Ms as number;

    // /work holds its replica for 40 ms of wall time (longer when the 0.5 CPU limit throttles it), so one replica
    // answers at most 25 evenly paced requests/s: at 30/s requests queue and p95 climbs; two replicas keep up.
    const loadAt = Date.now();
    const load = runLoad({ url: new URL('/work?ms=40', fixture.frontend).toString(), rate: 30, durationS: 25, connections: 16 });
    const p95s: number[] = [];
    const unsubscribe = plane.subscribe((message) => {
      if (message.type === 'sample' && message.sample.latencyP95Ms !== null) p95s.push(message.sample.latencyP95Ms);
    });
    try {
      await waitFor(() => plane.snapshot().desired === 2, 25_000, 'the latency rule to scale up', 100);
      const decidedS = (Date.now() - loadAt) / 1000;
      await waitFor(() => fixture!.ready() === 2, 30_000, 'the second replica serving', 100);
      const servingS = (Date.now() - loadAt) / 1000;
      const metrics = await createPrometheusRegistry(plane).metrics();
      load.stop();
      const report = await load.done;
      // Idle: no request and a request rate of 0 read as 0 ms, so every rule is below its down-threshold.
      const idleAt = Date.now();
      await waitFor(() => plane.snapshot().desired === 1 && plane.snapshot().replicas.length === 1, 40_000, 'the scale-down once idle', 200);
      const downS = (Date.now() - idleAt) / 1000;
      const reasons = plane.snapshot().events.filter((e) => e.kind === 'scale').map((e) => e.message);
      console.log(`[latency rule] idle p95 ${idleP95} ms; p95 under load ${p95s.join(', ')} ms; scale-up decided ${decidedS.toFixed(1)} s and ` +
        `second replica serving ${servingS.toFixed(1)} s after load start; back to 1 replica ${downS.toFixed(1)} s after the load stopped; ` +
        `${report.requests} requests, ${report.non2xx} non-2xx, ${report.errors} errors\n  ${reasons.join('\n  ')}`);

      expect(idleP95).toBeLessThan(150);
      expect(reasons.some((r) => /^1 -> 2: p95 latency \d+ ms > 150 ms for \d+ samples$/.test(r))).toBe(true);
      expect(reasons.at(-1)).toMatch(/^2 -> 1: rps per replica 0 < 1, p95 latency 0 ms < 60 ms for \d+ samples$/);
      expect(Math.max(...p95s)).toBeGreaterThan(150);
      expect(metrics).toMatch(/^scaledeck_request_latency_p95_milliseconds \d+/m);
      expect(metrics).toMatch(/^scaledeck_replica_memory_percent [\d.]+/m);
      expect(report.non2xx + report.errors).toBe(0);
    } finally {
      unsubscribe();
      load.stop();
    }
  });
});
