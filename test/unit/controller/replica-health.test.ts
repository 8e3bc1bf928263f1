// The wait for a new replica's health answer: how densely it asks, and what it says when the replica never answers.
import { describe, expect, it } from 'vitest';
import { waitForHealth } from '../../../electron/core/service/replica-health.js';
import { FakeClock } from '../../support/fake-clock.js';

/** A probe that fails until `answersAtMs` on the clock, recording when it was asked. */
function probeAnswering(clock: FakeClock, answersAtMs: number) {
  const askedAt: number[] = [];
  const start = clock.now();
  const probe = async () => {
    askedAt.push(clock.now() - start);
    return clock.now() - start >= answersAtMs ? null : 'ECONNREFUSED';
  };
  return { askedAt, probe };
}

describe('waiting for a replica to answer its health path', () => {
  it('asks every 10 ms at first, so a replica is seen within 10 ms of answering', async () => {
    const clock = new FakeClock();
    const { askedAt, probe } = probeAnswering(clock, 233);
    let doneAt: number | null = null;
    const start = clock.now();
    void waitForHealth('http://127.0.0.1:1/healthz', 30_000, { clock, probe }).then(() => (doneAt = clock.now() - start));
    await clock.advance(400);
    expect(doneAt).not.toBeNull();
    expect(doneAt!).toBeGreaterThanOrEqual(233);
    expect(doneAt!).toBeLessThanOrEqual(243);
    expect(askedAt.slice(0, 3)).toEqual([0, 10, 20]);
  });

  it('asks every 50 ms once it has waited 2 s, so a slow start costs few probes', async () => {
    const clock = new FakeClock();
    const { askedAt, probe } = probeAnswering(clock, 10_000);
    void waitForHealth('http://127.0.0.1:1/healthz', 30_000, { clock, probe }).catch(() => undefined);
    await clock.advance(3_000);
    const late = askedAt.filter((t) => t > 2_100);
    expect(late.length).toBeGreaterThan(10);
    for (let i = 1; i < late.length; i++) expect((late[i] as number) - (late[i - 1] as number)).toBe(50);
  });

  it('gives up after its timeout naming the URL and the last problem', async () => {
    const clock = new FakeClock();
    const { probe } = probeAnswering(clock, Number.POSITIVE_INFINITY);
    const failed = waitForHealth('http://127.0.0.1:1/healthz', 1_000, { clock, probe }).then(() => null, (error: Error) => error.message);
    await clock.advance(1_100);
    expect(await failed).toBe('it did not answer http://127.0.0.1:1/healthz within 1 s (ECONNREFUSED)');
  });
});
