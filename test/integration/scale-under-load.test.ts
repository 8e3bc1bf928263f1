// Scale 1 -> 4 -> 1 through the control plane while bounded load runs through HAProxy: no request may fail.
// A negative control stops replicas without a drain under the same load, and must fail the same check.
import Dockerode from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { runLoad, startPlane, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';

const NO_FAILURES = { non2xx: 0, errors: 0 };

const mixes = [
  { name: 'small GET /', method: 'GET' as const, path: '/', body: undefined },
  // 64 KiB bodies are not replayable by HAProxy's retries: only a real drain keeps these at zero.
  { name: 'POST /echo with 64 KiB bodies', method: 'POST' as const, path: '/echo', body: Buffer.alloc(64 * 1024, 'x') },
];

async function scaleUpAndDownUnderLoad(fixture: PlaneFixture, mix: (typeof mixes)[number]) {
  const { plane } = fixture;
  await waitFor(() => fixture.ready() === 1, 30_000, 'the first replica to be ready');
  const load = runLoad({ url: new URL(mix.path, fixture.frontend).toString(), rate: 150, durationS: 30, method: mix.method, body: mix.body });
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
  // The load tool sends each second's requests in one burst: the next burst is answered within about a second.
  await waitFor(() => load.progress().answered > answeredBeforeScaleIn, 3000, 'answers after the scale-in');

  const report = await load.done;
  console.log(`[${fixture.plane.settings.driver} / ${mix.name}] requests ${report.requests}, non-2xx ${report.non2xx}, errors ${report.errors}, ` +
    `hosts ${report.hosts.size}, 1->4 ready in ${scaleOutS.toFixed(1)} s, 4->1 drained in ${scaleInS.toFixed(1)} s`);
  expect(report.requests).toBeGreaterThan(100 * 20);
  expect({ non2xx: report.non2xx, errors: report.errors }).toEqual(NO_FAILURES);
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

  it('negative control: stopping replicas without a drain under the same load fails the same check', async () => {
    fixture = await startPlane({ driver: 'docker' }, { desired: 4 });
    const { plane } = fixture;
    await waitFor(() => fixture!.ready() === 4, 60_000, '4 ready replicas');
    const mix = mixes[1]!;
    // Twice the rate of the runs above, so that requests are in flight on the victims when they go.
    const load = runLoad({ url: new URL(mix.path, fixture.frontend).toString(), rate: 300, durationS: 10, method: mix.method, body: mix.body, connections: 20 });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // What a script without a drain does: the containers go while HAProxy still sends them requests.
    const docker = new Dockerode();
    const victims = plane.snapshot().replicas.slice(1);
    await Promise.all(victims.map((r) => docker.getContainer(r.id).kill().catch(() => undefined)));
    expect(load.progress().finished).toBe(false);
    const report = await load.done;
    console.log(`[negative control] requests ${report.requests}, non-2xx ${report.non2xx}, errors ${report.errors} after killing ${victims.length} replicas`);
    expect({ non2xx: report.non2xx, errors: report.errors }).not.toEqual(NO_FAILURES);
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
});
