// Autoscaling end to end: real load raises the metric, the policy adds replicas, and takes them away after the load.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlEvent } from '../../electron/contract/contract.js';
import { hasDocker, hasHaproxy, requireAll } from '../support/requirements.js';
import { runLoad, startPlane, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';
import { execFileSync } from 'node:child_process';

const scaleEvents = (fixture: PlaneFixture): ControlEvent[] => fixture.plane.snapshot().events.filter((e) => e.kind === 'scale');

function hasStressNg(): boolean {
  try {
    execFileSync('stress-ng', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    if (requireAll) throw new Error('stress-ng is missing (apt install stress-ng) and SCALEDECK_REQUIRE_ALL=1 forbids skipping');
    console.warn('\n!!! SKIPPING the host-CPU autoscaling test: stress-ng is not installed (apt install stress-ng)\n');
    return false;
  }
}

const quickPolicy = {
  mode: 'auto' as const,
  policy: 'threshold' as const,
  minReplicas: 1,
  maxReplicas: 3,
  breachSamples: 2,
  sampleIntervalMs: 1000,
  scaleUpCooldownS: 4,
  scaleDownCooldownS: 8,
  scaleDownStabilizationS: 8,
  warmupS: 3,
};

describe.skipIf(!hasHaproxy() || !hasDocker())('autoscaling Docker replicas', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('scales up on replica CPU under /work load, and back down to the minimum after it stops', async () => {
    fixture = await startPlane({ ...quickPolicy, driver: 'docker', metric: 'replica-cpu', scaleUpThreshold: 60, scaleDownThreshold: 15, cpuLimit: 0.5 }, { desired: 1 });
    await waitFor(() => fixture!.ready() === 1, 30_000, 'the first replica');
    // 12 requests/s of 60 ms CPU each is 0.72 CPU: well over one replica's 0.5 limit.
    const loadAt = Date.now();
    const load = runLoad({ url: new URL('/work?ms=60', fixture.frontend).toString(), rate: 12, durationS: 30, connections: 6 });
    await waitFor(() => fixture!.ready() >= 2, 30_000, 'a second replica serving under load', 100);
    const upS = (Date.now() - loadAt) / 1000;
    const report = await load.done;
    const stopAt = Date.now();
    await waitFor(() => fixture!.plane.snapshot().replicas.length === 1 && fixture!.plane.snapshot().desired === 1, 90_000, 'scale-down to 1 after the load', 200);
    const downS = (Date.now() - stopAt) / 1000;
    const reasons = scaleEvents(fixture).map((e) => e.message);
    console.log(`[autoscaling replica-cpu] first new replica serving ${upS.toFixed(1)} s after load start; back to 1 replica ${downS.toFixed(1)} s after load stop; ` +
      `load: ${report.requests} requests, ${report.non2xx} non-2xx, ${report.errors} errors\n  ${reasons.join('\n  ')}`);
    expect(reasons.some((r) => /^1 -> 2: replica CPU \d+(\.\d)?% > 60% for \d+ samples$/.test(r))).toBe(true);
    expect(reasons.some((r) => /-> 1: replica CPU [\d.]+% < 15% for \d+ samples$/.test(r))).toBe(true);
    expect(report.non2xx + report.errors).toBe(0);
    // Never below the minimum on the way down.
    expect(fixture.plane.snapshot().desired).toBe(1);
    expect(reasons.every((r) => !/-> 0/.test(r))).toBe(true);
  });

  it.skipIf(!hasStressNg())('scales on host CPU as the seed did: stress-ng raises the count, and it falls back afterwards', async () => {
    fixture = await startPlane({ ...quickPolicy, driver: 'docker', metric: 'host-cpu', scaleUpThreshold: 70, scaleDownThreshold: 30 }, { desired: 1 });
    await waitFor(() => fixture!.ready() === 1, 30_000, 'the first replica');
    const stressAt = Date.now();
    const stress = spawn('stress-ng', ['--cpu', '2', '--timeout', '40s', '--quiet'], { stdio: 'ignore' });
    const stressDone = new Promise((resolve) => stress.once('exit', resolve));
    try {
      await waitFor(() => fixture!.plane.snapshot().desired >= 2, 30_000, 'the host-CPU policy to scale up', 200);
      const upS = (Date.now() - stressAt) / 1000;
      await stressDone;
      const stopAt = Date.now();
      await waitFor(() => fixture!.plane.snapshot().desired === 1 && fixture!.plane.snapshot().replicas.length === 1, 90_000, 'scale-down after stress-ng', 200);
      const downS = (Date.now() - stopAt) / 1000;
      const reasons = scaleEvents(fixture).map((e) => e.message);
      console.log(`[autoscaling host-cpu] scale-up decided ${upS.toFixed(1)} s after stress-ng started; back to 1 ${downS.toFixed(1)} s after it ended\n  ${reasons.join('\n  ')}`);
      expect(reasons.some((r) => /^1 -> 2: host CPU [\d.]+% > 70% for \d+ samples$/.test(r))).toBe(true);
      expect(reasons.some((r) => /-> 1: host CPU [\d.]+% < 30% for \d+ samples$/.test(r))).toBe(true);
    } finally {
      stress.kill('SIGKILL');
    }
  });
});
