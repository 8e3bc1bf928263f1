// Settings that change HAProxy's config, applied while GET and 64 KiB POST load runs: every request issued is answered
// 2xx, counted one by one. The negative control for the reload itself is in haproxy-reload.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import type { SettingsPatch } from '../../electron/contract/settings-schema.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { expectEveryRequestAnswered, finishLoads, freePort, runLoad, startPlane, waitFor, type LoadRun, type PlaneFixture } from '../support/control-plane-fixture.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!hasHaproxy() || !hasDocker())('changing HAProxy settings under load', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('drops no request while healthPath, statsPort and drainTimeoutS change', async () => {
    fixture = await startPlane({ driver: 'docker' }, { desired: 2 });
    const { plane } = fixture;
    await waitFor(() => fixture!.ready() === 2, 60_000, 'two ready replicas');

    const startedAt = Date.now();
    const loads: LoadRun[] = [
      runLoad({ url: new URL('/', fixture.frontend).toString(), rate: 150, durationS: 24 }),
      runLoad({ url: new URL('/echo', fixture.frontend).toString(), rate: 40, durationS: 24, method: 'POST', body: Buffer.alloc(64 * 1024, 'x') }),
    ];
    const responses = () => loads.map((load) => load.progress().answered);
    await pause(3000);

    const changes: SettingsPatch[] = [{ healthPath: '/' }, { statsPort: await freePort() }, { drainTimeoutS: 12 }];
    const progress: string[] = [];
    for (const patch of changes) {
      const before = responses();
      const answer = await plane.updateSettings(patch);
      expect(answer).toEqual({ result: expect.objectContaining(patch) });
      await pause(3000);
      const after = responses();
      progress.push(`${JSON.stringify(patch)}: ${before.join('/')} -> ${after.join('/')} responses`);
      // Both loads kept being answered across the change, not only before or after it.
      for (const [i, count] of after.entries()) expect(count, `load ${i} across ${JSON.stringify(patch)}`).toBeGreaterThan(before[i]! + 30);
      expect(plane.snapshot().haproxy.running).toBe(true);
    }

    const { get, post } = await finishLoads(loads, `hitless reconfigure; ${progress.join('; ')}`);
    // What the plane did meanwhile, for a failure's message: the time of a lost request against the reloads and drains.
    const timeline = plane.snapshot().events.filter((e) => e.at >= startedAt)
      .map((e) => `+${e.at - startedAt} ms ${e.kind}: ${e.message}`).join(' | ');
    expectEveryRequestAnswered(get, 150 * 24, `GET (events: ${timeline})`);
    expectEveryRequestAnswered(post, 40 * 24, 'POST 64 KiB');
    // A new healthPath is a new version of the replicas: a rollout replaced both while HAProxy reloaded.
    expect(get.hosts.size).toBeGreaterThanOrEqual(2);
    expect(get.hosts.size).toBeLessThanOrEqual(4);

    // The reload took the new settings: the stats page moved, and both replicas are still in the backend.
    const stats = await fetch(plane.statsUrl(), { signal: AbortSignal.timeout(2000) });
    expect(stats.status).toBe(200);
    expect(fixture.ready()).toBe(2);
    const haproxyEvents = plane.snapshot().events.filter((e) => e.kind === 'haproxy').map((e) => e.message);
    expect(haproxyEvents.filter((m) => m.startsWith('HAProxy reloaded'))).toHaveLength(2);
    expect(haproxyEvents.some((m) => m.includes('restarted'))).toBe(false);
  });
});
