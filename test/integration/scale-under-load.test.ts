// Scale 1 -> 4 -> 1 through the control plane while bounded load runs through HAProxy: every request issued must be
// answered 2xx, counted one by one. Negative controls kill replicas without a drain under the same load (Docker and
// process drivers), and the same count must see the loss.
import { afterEach, describe, expect, it } from 'vitest';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { expectEveryRequestAnswered, loadLine, runLoad, startPlane, waitFor, type LoadReport, type PlaneFixture } from '../support/control-plane-fixture.js';
import { killContainers, killProcessReplicas } from '../support/loss-controls.js';

const mixes = [
  { name: 'small GET /', method: 'GET' as const, path: '/', body: undefined },
  // 64 KiB bodies are not replayable by HAProxy's retries: only a real drain keeps these at zero.
  { name: 'POST /echo with 64 KiB bodies', method: 'POST' as const, path: '/echo', body: Buffer.alloc(64 * 1024, 'x') },
];

async function scaleUpAndDownUnderLoad(fixture: PlaneFixture, mix: (typeof mixes)[number]) {
  const { plane } = fixture;
  await waitFor(() => fixture.ready() === 1, 30_000, 'the first replica to be ready');
  const [rate, durationS] = [150, 30];
  const load = runLoad({ url: new URL(mix.path, fixture.frontend).toString(), rate, durationS, method: mix.method, body: mix.body });
  await new Promise((resolve) => setTimeout(resolve, 2000));

  const outAt = Date.now();
  expect(await plane.scale({ replicas: 4 })).toEqual({ result: { desired: 4, mode: 'manual' } });
  await waitFor(() => fixture.ready() === 4, 30_000, '4 ready replicas');
  const scaleOutS = (Date.now() - outAt) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 4000));

  const inAt = Date.now();
  const answeredBeforeScaleIn = load.progress().answered;
  await plane.scale({ replicas: 1 });
  await waitFor(() => plane.snapshot().replicas.length === 1, 60_000, 'scale-in to 1 replica');
  const scaleInS = (Date.now() - inAt) / 1000;
  // The drain happened under load: the run was going before it and still going, and answering, after it.
  expect(load.progress().finished).toBe(false);
  await waitFor(() => load.progress().answered > answeredBeforeScaleIn, 3000, 'answers after the scale-in');

  const report = await load.done;
  console.log(`${loadLine(`[${fixture.plane.settings.driver} scale-in / ${mix.name}]`, report)}; ` +
    `1->4 ready in ${scaleOutS.toFixed(1)} s, 4->1 drained in ${scaleInS.toFixed(1)} s`);
  expectEveryRequestAnswered(report, rate * durationS, mix.name);
  expect(report.hosts.size).toBeGreaterThanOrEqual(4);
  expect(plane.snapshot().replicas[0]?.state).toBe('ready');
}

describe.skipIf(!hasHaproxy() || !hasDocker())('scaling Docker replicas under load', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it.each(mixes)('scales 1 -> 4 -> 1 with no failed request ($name)', async (mix) => {
    fixture = await startPlane({ driver: 'docker' }, { desired: 1 });
    await scaleUpAndDownUnderLoad(fixture, mix);
  });

  it('negative control: killing 3 of 4 replicas without a drain under the same load loses requests, and the count sees it', async () => {
    fixture = await startPlane({ driver: 'docker' }, { desired: 4 });
    const report = await killUnderLoad(fixture, (victims) => killContainers(victims.map((r) => r.id)));
    expect(report.ok2xx).toBeLessThan(report.issued);
  });
});

describe.skipIf(!hasHaproxy())('scaling process replicas under load', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it.each(mixes)('scales 1 -> 4 -> 1 with no failed request ($name)', async (mix) => {
    fixture = await startPlane({ driver: 'process' }, { desired: 1 });
    await scaleUpAndDownUnderLoad(fixture, mix);
  });

  it('negative control: killing 3 of 4 replica processes without a drain under the same load loses requests, and the count sees it', async () => {
    fixture = await startPlane({ driver: 'process' }, { desired: 4 });
    const { dataDir } = fixture;
    const report = await killUnderLoad(fixture, (victims) => killProcessReplicas(dataDir, victims.map((r) => r.name)));
    expect(report.ok2xx).toBeLessThan(report.issued);
  });
});

/**
 * What a script without a drain does: with 4 ready replicas and 64 KiB POSTs in flight on each (bodies HAProxy
 * cannot replay elsewhere), 3 of them go at once while HAProxy still sends them requests.
 */
async function killUnderLoad(fixture: PlaneFixture, kill: (victims: Array<{ id: string; name: string }>) => Promise<void>): Promise<LoadReport> {
  await waitFor(() => fixture.ready() === 4, 60_000, '4 ready replicas');
  const mix = mixes[1]!;
  const [rate, durationS] = [300, 10];
  const load = runLoad({ url: new URL(mix.path, fixture.frontend).toString(), rate, durationS, method: mix.method, body: mix.body, connections: 20 });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const victims = fixture.plane.snapshot().replicas.slice(1);
  await kill(victims);
  expect(load.progress().finished).toBe(false);
  const report = await load.done;
  console.log(loadLine(`[${fixture.plane.settings.driver} negative control / ${victims.length} replicas killed without a drain]`, report));
  expect(report.issued).toBe(rate * durationS);
  return report;
}
