// Rolling out a new version of the sample api under GET and 64 KiB POST load, with real Docker and HAProxy: every
// request issued is answered 2xx (counted one by one), every replica ends on the new generation, and a version that
// exits at once is stopped. The negative control replaces the replicas old-first, killing each before its successor
// serves, and the same count must see the loss.
import Dockerode from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SettingsPatch } from '../../electron/contract/settings-schema.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { expectEveryRequestAnswered, finishLoads, loadLine, runLoad, startPlane, waitFor, type LoadReport, type LoadRun, type PlaneFixture } from '../support/control-plane-fixture.js';
import { killContainers } from '../support/loss-controls.js';

const SOURCE_IMAGE = 'scaledeck/api:latest';
const RENAMED_IMAGE = 'scaledeck/api:rollout-test';
/** The sample api's image with a command that exits at once: a version that never gets ready. */
const BROKEN_IMAGE = 'scaledeck/api:rollout-broken';

const docker = new Dockerode();

/** Made offline from the built image: a second tag of it, and a commit of it whose command exits with 1. */
async function makeTestImages(): Promise<void> {
  await docker.getImage(SOURCE_IMAGE).tag({ repo: 'scaledeck/api', tag: 'rollout-test' });
  const container = await docker.createContainer({ Image: SOURCE_IMAGE, Labels: { 'scaledeck.test': 'rollout' } });
  try {
    await container.commit({ repo: 'scaledeck/api', tag: 'rollout-broken', changes: 'CMD ["node", "-e", "process.exit(1)"]' });
  } finally {
    await container.remove({ force: true });
  }
}

async function removeTestImages(): Promise<void> {
  for (const tag of [RENAMED_IMAGE, BROKEN_IMAGE]) await docker.getImage(tag).remove().catch(() => undefined);
}

const GET_RATE = 80;
const POST_RATE = 40;

/** GET / and POST /echo with 64 KiB bodies at once, long enough to cover the rollout. */
function loadBoth(frontend: string, durationS: number): LoadRun[] {
  return [
    runLoad({ url: new URL('/', frontend).toString(), rate: GET_RATE, durationS }),
    runLoad({ url: new URL('/echo', frontend).toString(), rate: POST_RATE, durationS, method: 'POST', body: Buffer.alloc(64 * 1024, 'x') }),
  ];
}

/** Every request of both runs was issued and answered 2xx: exactly rate x duration of each. */
function expectBothAnswered({ get, post }: { get: LoadReport; post: LoadReport }, durationS: number): void {
  expectEveryRequestAnswered(get, GET_RATE * durationS, 'GET');
  expectEveryRequestAnswered(post, POST_RATE * durationS, 'POST 64 KiB');
}

const generations = (fixture: PlaneFixture) => fixture.plane.snapshot().replicas.map((r) => r.generation);

describe.skipIf(!hasHaproxy() || !hasDocker())('rolling out a new version under load', () => {
  let fixture: PlaneFixture | undefined;
  beforeAll(makeTestImages, 60_000);
  afterAll(removeTestImages);
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it.each<{ name: string; patch: SettingsPatch; newGeneration: RegExp }>([
    { name: 'image set to another tag', patch: { image: RENAMED_IMAGE }, newGeneration: /^rollout-test [0-9a-f]{8}$/ },
    { name: 'healthPath set to /', patch: { healthPath: '/' }, newGeneration: /^latest [0-9a-f]{8}$/ },
  ])('replaces both replicas with no failed request ($name)', async ({ name, patch, newGeneration }) => {
    fixture = await startPlane({ driver: 'docker', drainTimeoutS: 10 }, { desired: 2 });
    const { plane } = fixture;
    await waitFor(() => fixture!.ready() === 2, 60_000, '2 ready replicas');
    const before = new Set(generations(fixture));
    const loads = loadBoth(fixture.frontend, 30);
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const startedAt = Date.now();
    expect('result' in (await plane.updateSettings(patch))).toBe(true);
    let fewestReady = Infinity;
    await waitFor(() => {
      fewestReady = Math.min(fewestReady, fixture!.ready());
      const snapshot = plane.snapshot();
      return snapshot.rollout.state === 'idle' && snapshot.replicas.length === 2 && fixture!.ready() === 2 && generations(fixture!).every((g) => newGeneration.test(g) && !before.has(g));
    }, 90_000, 'every replica on the new generation');
    const tookS = (Date.now() - startedAt) / 1000;
    expect(loads.every((l) => !l.progress().finished)).toBe(true);

    const { get, post } = await finishLoads(loads, `rollout / ${name}, done in ${tookS.toFixed(1)} s, fewest ready ${fewestReady}`);
    expect(fewestReady).toBeGreaterThanOrEqual(2);
    expectBothAnswered({ get, post }, 30);
    // The clients saw the old replicas and then the new ones.
    expect(get.hosts.size).toBeGreaterThanOrEqual(4);
    expect(plane.snapshot().events.some((e) => e.kind === 'rollout' && /finished: 2 replaced/.test(e.message))).toBe(true);
  }, 150_000);

  it('negative control: replacing each old replica by killing it before its successor serves loses requests, and the count sees it', async () => {
    fixture = await startPlane({ driver: 'docker', drainTimeoutS: 10 }, { desired: 2 });
    const { plane } = fixture;
    await waitFor(() => fixture!.ready() === 2, 60_000, '2 ready replicas');
    // The rate of the scale-in control: with 64 KiB bodies in flight on the victim when it goes.
    const [rate, durationS] = [300, 20];
    const load = runLoad({ url: new URL('/echo', fixture.frontend).toString(), rate, durationS, method: 'POST', body: Buffer.alloc(64 * 1024, 'x'), connections: 20 });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // Old first: each old replica is killed, and the next goes once the controller has a replacement serving.
    const old = plane.snapshot().replicas.map((r) => r.id);
    for (const id of old) {
      await killContainers([id]);
      await waitFor(() => fixture!.ready() === 2 && !plane.snapshot().replicas.some((r) => r.id === id), 60_000, `a replacement for ${id.slice(0, 12)}`);
    }
    expect(load.progress().finished).toBe(false);
    const report = await load.done;
    console.log(loadLine('[rollout negative control / old replicas killed first]', report));
    expect(report.issued).toBe(rate * durationS);
    expect(report.ok2xx).toBeLessThan(report.issued);
  }, 150_000);

  it('pauses a version that exits at once, the old replicas serving every request, and rolls back', async () => {
    fixture = await startPlane({ driver: 'docker', rolloutDeadlineS: 20 }, { desired: 2 });
    const { plane } = fixture;
    await waitFor(() => fixture!.ready() === 2, 60_000, '2 ready replicas');
    const serving = plane.snapshot().replicas.map((r) => r.name).sort();
    const loads = loadBoth(fixture.frontend, 45);
    await new Promise((resolve) => setTimeout(resolve, 2000));

    expect('result' in (await plane.updateSettings({ image: BROKEN_IMAGE }))).toBe(true);
    await waitFor(() => plane.snapshot().rollout.state === 'paused', 60_000, 'the rollout to pause');
    const paused = plane.snapshot().rollout;
    console.log(`[rollout / broken image] paused: ${paused.reason}`);
    expect(paused).toMatchObject({ replaced: 0, total: 2, canRollBack: true });
    expect(paused.reason).toMatch(/rollout-broken [0-9a-f]{8}/);
    expect(plane.snapshot().replicas.filter((r) => r.state === 'ready').map((r) => r.name).sort()).toEqual(serving);

    expect('result' in (await plane.rollback())).toBe(true);
    expect(plane.settings.image).toBe(SOURCE_IMAGE);
    await waitFor(() => plane.snapshot().rollout.state === 'idle' && plane.snapshot().replicas.length === 2, 60_000, 'the rollback to settle');
    expect(plane.snapshot().replicas.map((r) => r.name).sort()).toEqual(serving);
    expect(loads.every((l) => !l.progress().finished)).toBe(true);

    const { get, post } = await finishLoads(loads, 'rollout / broken image, then rollback');
    expectBothAnswered({ get, post }, 45);
    expect(get.hosts.size).toBe(2);
  }, 150_000);

  it('a paused rollout is still paused after a restart of ScaleDeck, and rolls back from there', async () => {
    const first = await startPlane({ driver: 'docker', rolloutDeadlineS: 5 }, { desired: 2 });
    fixture = first;
    await waitFor(() => first.ready() === 2, 60_000, '2 ready replicas');
    const serving = first.plane.snapshot().replicas.map((r) => r.name).sort();
    // A health path the sample api does not answer: new replicas never get ready.
    expect('result' in (await first.plane.updateSettings({ healthPath: '/missing' }))).toBe(true);
    await waitFor(() => first.plane.snapshot().rollout.state === 'paused', 60_000, 'the rollout to pause');
    await first.plane.shutdown({ keepRunning: true });
    fixture = undefined;

    const second = await startPlane({}, { dataDir: first.dataDir, app: first.app });
    fixture = second;
    await waitFor(() => second.plane.snapshot().rollout.state === 'paused', 30_000, 'the rollout reported paused after the restart');
    expect(second.plane.snapshot().rollout).toMatchObject({ total: 2, replaced: 0, canRollBack: true });
    expect(second.plane.snapshot().events.some((e) => e.kind === 'rollout' && e.message.includes('is still paused'))).toBe(true);
    await waitFor(() => second.ready() === 2, 30_000, 'the old replicas serving after the restart');
    expect(second.plane.snapshot().replicas.filter((r) => r.state === 'ready').map((r) => r.name).sort()).toEqual(serving);

    expect('result' in (await second.plane.rollback())).toBe(true);
    expect(second.plane.settings.healthPath).toBe('/healthz');
    await waitFor(() => second.plane.snapshot().rollout.state === 'idle' && second.plane.snapshot().replicas.length === 2, 60_000, 'the rollback to settle');
    expect(second.plane.snapshot().replicas.map((r) => r.name).sort()).toEqual(serving);
  }, 150_000);
});

describe.skipIf(!hasHaproxy())('rolling out process replicas under load', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('replaces both replicas after a cpuLimit change with no failed request (generation in the pid file)', async () => {
    fixture = await startPlane({ driver: 'process', drainTimeoutS: 10 }, { desired: 2 });
    const { plane } = fixture;
    await waitFor(() => fixture!.ready() === 2, 60_000, '2 ready replicas');
    const before = new Set(generations(fixture));
    const loads = loadBoth(fixture.frontend, 20);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect('result' in (await plane.updateSettings({ cpuLimit: 0.75 }))).toBe(true);
    await waitFor(() => {
      const snapshot = plane.snapshot();
      return snapshot.rollout.state === 'idle' && snapshot.replicas.length === 2 && fixture!.ready() === 2 && generations(fixture!).every((g) => !before.has(g));
    }, 60_000, 'every replica on the new generation');
    const { get, post } = await finishLoads(loads, 'rollout / process driver, cpuLimit');
    expectBothAnswered({ get, post }, 20);
    expect(get.hosts.size).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
