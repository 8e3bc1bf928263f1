// Scale to zero with real Docker and HAProxy: requests at zero replicas wait in HAProxy while one replica starts.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { HOLD_TIMEOUT_BODY } from '../../haproxy/request-hold.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { startPlane, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';

const atZero = { mode: 'auto' as const, minReplicas: 0, maxReplicas: 3, holdTimeoutS: 30, scaleDownCooldownS: 600, driver: 'docker' as const };

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

  it('answers GETs and 64 KiB POSTs sent at zero replicas once the woken replica serves, with no error', async () => {
    fixture = await startPlane(atZero, { desired: 0 });
    expect(fixture.plane.snapshot().replicas).toHaveLength(0);
    const body = randomBytes(64 * 1024);
    const signal = () => AbortSignal.timeout(20_000);
    const gets = Array.from({ length: 3 }, () => timed(() => fetch(fixture!.frontend, { signal: signal() })));
    const posts = Array.from({ length: 2 }, () => timed(() => fetch(new URL('/echo', fixture!.frontend), { method: 'POST', body, signal: signal() })));
    const answers = await Promise.all([...gets, ...posts]);
    console.log(`[scale-to-zero] cold answers in ${answers.map((a) => a.ms.toFixed(0)).join(', ')} ms`);
    for (const answer of answers) expect(answer.status).toBe(200);
    for (const answer of answers.slice(3)) expect(JSON.parse(answer.body)).toMatchObject({ bytes: 64 * 1024 });
    const events = fixture.plane.snapshot().events.map((e) => e.message);
    expect(events.some((e) => /^0 -> 1: \d+ requests? waiting in HAProxy with no replica$/.test(e))).toBe(true);
    expect(fixture.plane.snapshot().desired).toBe(1);
    await waitFor(() => fixture!.ready() === 1, 10_000, 'the woken replica listed as ready');
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

  it('keeps the spare out of rotation, still holds requests at zero, and answers them from the spare once woken', async () => {
    fixture = await startPlane({ ...atZero, standbyReplicas: 1 }, { desired: 0 });
    const standby = () => fixture!.plane.snapshot().replicas.filter((r) => r.state === 'standby');
    await waitFor(() => standby().length === 1, 30_000, 'a warm spare');
    const { name: spareName, id: spareId } = standby()[0]!;
    expect(fixture.ready()).toBe(0);
    expect(fixture.plane.snapshot().desired).toBe(0);

    const answers = await Promise.all(Array.from({ length: 4 }, () => timed(() => fetch(fixture!.frontend, { signal: AbortSignal.timeout(20_000) }))));
    console.log(`[warm spare] answers at zero with a spare in ${answers.map((a) => a.ms.toFixed(0)).join(', ')} ms`);
    for (const answer of answers) expect(answer.status).toBe(200);
    // The spare served them all (a container's host name is the start of its id): the wake took it into rotation.
    const hosts = new Set(answers.map((a) => (JSON.parse(a.body) as { host: string }).host));
    expect([...hosts].every((host) => spareId.startsWith(host))).toBe(true);
    expect(fixture.plane.snapshot().replicas.find((r) => r.name === spareName)?.state).toBe('ready');
    const events = fixture.plane.snapshot().events.map((e) => e.message);
    expect(events.some((e) => e.startsWith(`${spareName} is serving through HAProxy: a warm spare taken into rotation in`))).toBe(true);
    await waitFor(() => standby().length === 1, 30_000, 'the spare refilled');
  });
});
