// A service served only on the shared frontend (frontendPort 0) beside one with a frontend of its own, behind one real
// HAProxy: no frontend of its own in the config, its URL on its route, each service's request rate counting its own
// requests only (whichever frontend they came through), and a change of its route under load that drops nothing.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../electron/contract/contract.js';
import { configPath } from '../../haproxy/config.js';
import { NO_ROUTE_BODY } from '../../haproxy/service-routing.js';
import { hasHaproxy } from '../support/requirements.js';
import { expectEveryRequestAnswered, freePort, runLoad, startPlane, waitFor, type LoadRun, type PlaneFixture } from '../support/control-plane-fixture.js';

const WEB_RATE = 40;
const WEB_SHARED_RATE = 10;
const API_RATE = 20;
const DURATION_S = 30;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

describe.skipIf(!hasHaproxy())('a service served only on the shared frontend (real haproxy, process replicas)', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('has no frontend of its own, counts only its own requests, and keeps every request through a change of its route', async () => {
    const sharedPort = await freePort();
    fixture = await startPlane({ driver: 'process', sharedFrontendPort: sharedPort, routeHost: 'web.test' }, { desired: 1 });
    const app = fixture;
    const shared = `http://127.0.0.1:${sharedPort}`;

    // Refused without a route, naming the field; no service is added.
    const refused = await app.plane.addService({ name: 'bad', frontendPort: 0 });
    expect(refused).toEqual({ error: expect.stringMatching(/^frontendPort: is 0 \(served only on the shared frontend\), which needs a route there/), field: 'frontendPort' });
    expect(app.plane.snapshot().services.map((s) => s.name)).toEqual(['web']);

    const added = await app.plane.addService({ name: 'api', frontendPort: 0, routePathPrefix: '/work', mode: 'manual', minReplicas: 1, maxReplicas: 2 });
    expect('result' in added ? added.result.frontendUrl : added).toBe(`${shared}/work`);
    const config = readFileSync(configPath(app.dataDir), 'utf8');
    // web's own frontend, the shared one and the stats page: none for api, whose backend is there.
    expect(config.split('\n').filter((line) => line.startsWith('frontend '))).toHaveLength(3);
    expect(config.split('\n').filter((line) => line.startsWith('backend '))).toHaveLength(2);
    await waitFor(() => app.plane.snapshot().services.every((s) => s.replicas.some((r) => r.state === 'ready')), 30_000, 'a ready replica of each service');

    // Turning the shared frontend off would strand api: refused, naming the global field, nothing changed.
    const stranding = await app.plane.updateSettings({ sharedFrontendPort: 0 }, 'web');
    expect(stranding).toMatchObject({ field: 'sharedFrontendPort', error: expect.stringContaining('api') });
    expect(readFileSync(configPath(app.dataDir), 'utf8')).toBe(config);

    // web: on its own frontend and, by its Host route, on the shared one; api: only on the shared one, by its path.
    const loadStart = Date.now();
    const loads: Record<'web' | 'webShared' | 'api', LoadRun> = {
      web: runLoad({ url: app.frontend, rate: WEB_RATE, durationS: DURATION_S }),
      webShared: runLoad({ url: `${shared}/`, rate: WEB_SHARED_RATE, durationS: DURATION_S, headers: { host: 'web.test' } }),
      api: runLoad({ url: `${shared}/work?ms=1`, rate: API_RATE, durationS: DURATION_S, headers: { host: 'api.test' } }),
    };
    const seen: Record<'web' | 'api', number[]> = { web: [], api: [] };
    const unsubscribe = app.plane.subscribe((message) => {
      if (message.type !== 'sample') return;
      const sample: Sample = message.sample;
      const name = sample.service === 'api' ? 'api' : 'web';
      // The steady middle of the run: after the first seconds, before the route change's reload.
      if (sample.rps !== null && Date.now() - loadStart > 4000) seen[name].push(sample.rps);
    });
    await new Promise((resolve) => setTimeout(resolve, 14_000));
    unsubscribe();

    // Both of api's routes match the run's requests: only the reload stands between them.
    const changed = await app.plane.updateSettings({ routeHost: 'api.test' }, 'api');
    expect('result' in changed ? changed.result.routeHost : changed).toBe('api.test');
    const reports = Object.fromEntries(await Promise.all(Object.entries(loads).map(async ([name, run]) => [name, await run.done] as const)));
    expectEveryRequestAnswered(reports.web!, WEB_RATE * DURATION_S, 'web on its own frontend');
    expectEveryRequestAnswered(reports.webShared!, WEB_SHARED_RATE * DURATION_S, 'web on the shared frontend');
    expectEveryRequestAnswered(reports.api!, API_RATE * DURATION_S, 'api on the shared frontend through the change of its route');

    // Each service's rate is its own requests: web both of its frontends' (40 + 10), api its route's (20), never the other's.
    expect(seen.web.length).toBeGreaterThanOrEqual(8);
    expect(seen.api.length).toBeGreaterThanOrEqual(8);
    expect(median(seen.web)).toBeGreaterThan((WEB_RATE + WEB_SHARED_RATE) * 0.8);
    expect(median(seen.web)).toBeLessThan((WEB_RATE + WEB_SHARED_RATE) * 1.2);
    expect(median(seen.api)).toBeGreaterThan(API_RATE * 0.8);
    expect(median(seen.api)).toBeLessThan(API_RATE * 1.2);

    // The new route needs the Host: the path alone now reaches no service.
    const unrouted = await fetch(`${shared}/work?ms=1`, { signal: AbortSignal.timeout(2000) });
    expect(unrouted.status).toBe(404);
    expect(await unrouted.text()).toBe(NO_ROUTE_BODY);
    expect(app.plane.snapshot().services.find((s) => s.name === 'api')?.frontendUrl).toBe(`http://api.test:${sharedPort}/work`);
  }, 120_000);
});
