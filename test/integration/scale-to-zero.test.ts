// Scale to zero with real Docker and HAProxy: requests at zero replicas wait in HAProxy while one replica starts, and
// a warm spare answers them sooner. Every request of a run that starts at zero is counted; the negative controls take
// the hold out of HAProxy, or wake without a spare under a hold only a spare can meet, and must see the loss.
import { afterEach, describe, expect, it } from 'vitest';
import { HOLD_ACTION, HOLD_TIMEOUT_BODY } from '../../haproxy/request-hold.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { expectEveryRequestAnswered, finishLoads, runLoad, startPlane, waitFor, type LoadReport, type PlaneFixture } from '../support/control-plane-fixture.js';
import { reloadThroughMaster, withoutRequestHold } from '../support/loss-controls.js';

const atZero = { mode: 'auto' as const, minReplicas: 0, maxReplicas: 3, holdTimeoutS: 30, scaleDownCooldownS: 600, driver: 'docker' as const };
const [GET_RATE, POST_RATE] = [20, 10];

/** GET / and 64 KiB POST /echo from the moment the service is at zero; held requests may wait up to 20 s. */
async function loadFromZero(fixture: PlaneFixture, durationS: number, label: string): Promise<{ get: LoadReport; post: LoadReport; timeline: string }> {
  expect(fixture.ready()).toBe(0);
  const startedAt = Date.now();
  const loads = [
    runLoad({ url: fixture.frontend, rate: GET_RATE, durationS, timeoutMs: 20_000 }),
    runLoad({ url: new URL('/echo', fixture.frontend).toString(), rate: POST_RATE, durationS, method: 'POST', body: Buffer.alloc(64 * 1024, 'x'), timeoutMs: 20_000 }),
  ];
  const reports = await finishLoads(loads, label);
  expect([reports.get.issued, reports.post.issued]).toEqual([GET_RATE * durationS, POST_RATE * durationS]);
  // What the plane did meanwhile, for a failure's message: a late wake shows here.
  const timeline = fixture.plane.snapshot().events.filter((e) => e.at >= startedAt - 2000)
    .map((e) => `+${e.at - startedAt} ms ${e.kind}: ${e.message}`).join(' | ');
  return { ...reports, timeline };
}

async function timed(request: () => Promise<Response>): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  const response = await request();
  const body = await response.text();
  return { status: response.status, body, ms: performance.now() - started };
}

describe.skipIf(!hasHaproxy() || !hasDocker())('scale to zero', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('answers every GET and 64 KiB POST of a run that starts at zero replicas once the woken replica serves', async () => {
    fixture = await startPlane(atZero, { desired: 0 });
    expect(fixture.plane.snapshot().replicas).toHaveLength(0);
    const { get, post } = await loadFromZero(fixture, 10, 'scale-to-zero / run starting at zero');
    expectEveryRequestAnswered(get, get.issued, 'GET');
    expectEveryRequestAnswered(post, post.issued, 'POST 64 KiB');
    const events = fixture.plane.snapshot().events.map((e) => e.message);
    expect(events.some((e) => /^0 -> 1: \d+ requests? waiting in HAProxy with no replica$/.test(e))).toBe(true);
    expect(fixture.plane.snapshot().desired).toBe(1);
    await waitFor(() => fixture!.ready() === 1, 10_000, 'the woken replica listed as ready');
  });

  it('negative control: the same run after HAProxy reloads without the request hold loses the requests sent at zero', async () => {
    fixture = await startPlane(atZero, { desired: 0 });
    await reloadThroughMaster(fixture.dataDir, withoutRequestHold);
    const { get, post } = await loadFromZero(fixture, 10, 'scale-to-zero negative control / no request hold');
    expect(get.ok2xx).toBeLessThan(get.issued);
    expect(post.ok2xx).toBeLessThan(post.issued);
  });

  it('answers a short 503 when no replica comes up within the hold, and starts none in manual mode', async () => {
    fixture = await startPlane({ ...atZero, mode: 'manual', holdTimeoutS: 1 }, { desired: 0 });
    const answer = await timed(() => fetch(fixture!.frontend, { signal: AbortSignal.timeout(10_000) }));
    expect(answer.status).toBe(503);
    expect(answer.body.trim()).toBe(HOLD_TIMEOUT_BODY);
    expect(answer.ms).toBeGreaterThanOrEqual(900);
    expect(answer.ms).toBeLessThan(5000);
    expect(fixture.plane.snapshot().replicas).toHaveLength(0);
    expect(fixture.plane.snapshot().desired).toBe(0);
  });
});

describe.skipIf(!hasHaproxy() || !hasDocker())('warm spares', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('keeps the spare out of rotation, still holds requests at zero, and answers every one of a run from the spare once woken', async () => {
    fixture = await startPlane({ ...atZero, standbyReplicas: 1 }, { desired: 0 });
    const standby = () => fixture!.plane.snapshot().replicas.filter((r) => r.state === 'standby');
    await waitFor(() => standby().length === 1, 30_000, 'a warm spare');
    const { name: spareName, id: spareId } = standby()[0]!;
    expect(fixture.plane.snapshot().desired).toBe(0);

    const { get, post, timeline } = await loadFromZero(fixture, 8, 'warm spare / run starting at zero');
    expectEveryRequestAnswered(get, get.issued, `GET (events: ${timeline})`);
    expectEveryRequestAnswered(post, post.issued, 'POST 64 KiB');
    // The spare served them all (a container's host name is the start of its id): the wake took it into rotation.
    expect([...get.hosts, ...post.hosts].every((host) => spareId.startsWith(host))).toBe(true);
    expect(fixture.plane.snapshot().replicas.find((r) => r.name === spareName)?.state).toBe('ready');
    const events = fixture.plane.snapshot().events.map((e) => e.message);
    expect(events.some((e) => e.startsWith(`${spareName} is serving through HAProxy: a warm spare taken into rotation in`))).toBe(true);
    await waitFor(() => standby().length === 1, 30_000, 'the spare refilled');
  });

  // A spare goes into rotation with one runtime command, a cold replica needs a container start and a health check.
  // At a twentieth of a CPU the api takes about a second to boot, so under a hold of 500 ms (set in HAProxy before any
  // server exists) only the spare, booted beforehand, answers the requests held at zero; it needs well under 100 ms.
  const SHORT_HOLD_MS = 500;
  const slowBoot = { ...atZero, cpuLimit: 0.05 };
  const withShortHold = (config: string) => config.replace(new RegExp(`(lua\\.${HOLD_ACTION} \\S+) \\d+`), `$1 ${SHORT_HOLD_MS}`);

  it(`answers every request of a run that starts at zero within a ${SHORT_HOLD_MS} ms hold when a spare is warm`, async () => {
    fixture = await startPlane(slowBoot, { desired: 0 });
    await reloadThroughMaster(fixture.dataDir, withShortHold);
    expect('result' in (await fixture.plane.updateSettings({ standbyReplicas: 1 }))).toBe(true);
    await waitFor(() => fixture!.plane.snapshot().replicas.some((r) => r.state === 'standby'), 30_000, 'a warm spare');
    const { get, post, timeline } = await loadFromZero(fixture, 5, `warm spare / ${SHORT_HOLD_MS} ms hold`);
    expectEveryRequestAnswered(get, get.issued, `GET (events: ${timeline})`);
    expectEveryRequestAnswered(post, post.issued, 'POST 64 KiB');
  });

  it(`negative control: the same run without a spare loses the requests the ${SHORT_HOLD_MS} ms hold gives up on`, async () => {
    fixture = await startPlane(slowBoot, { desired: 0 });
    await reloadThroughMaster(fixture.dataDir, withShortHold);
    const { get, post } = await loadFromZero(fixture, 5, `no spare / ${SHORT_HOLD_MS} ms hold`);
    expect(get.ok2xx + post.ok2xx).toBeLessThan(get.issued + post.issued);
    expect(get.non2xx + post.non2xx).toBeGreaterThan(0);
  });
});
