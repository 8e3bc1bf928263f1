// Several services behind one real HAProxy: each scales on its own under load on all of them with no request lost
// (counted one by one), a service is added and removed while the others serve, one that cannot start leaves the others
// serving and scaling, and a restart adopts every service's replicas.
import Dockerode from 'dockerode';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceView } from '../../electron/contract/contract.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { readSettingsFile } from '../support/settings-file.js';
import { expectEveryRequestAnswered, finishLoads, freePort, hostsThroughFrontend, runLoad, startPlane, waitFor, type LoadRun, type PlaneFixture } from '../support/control-plane-fixture.js';

const SECOND_IMAGE = 'scaledeck/api:services-it';

function loadBoth(frontend: string, durationS: number): LoadRun[] {
  return [
    runLoad({ url: new URL('/', frontend).toString(), rate: 40, durationS }),
    runLoad({ url: new URL('/echo', frontend).toString(), rate: 10, durationS, method: 'POST', body: Buffer.alloc(64 * 1024, 'x') }),
  ];
}

const serviceOf = (fixture: PlaneFixture, name: string): ServiceView | undefined => fixture.plane.snapshot().services.find((s) => s.name === name);
const readyOf = (fixture: PlaneFixture, name: string) => serviceOf(fixture, name)?.replicas.filter((r) => r.state === 'ready').length ?? 0;
const countOf = (fixture: PlaneFixture, name: string) => serviceOf(fixture, name)?.replicas.length ?? -1;

describe.skipIf(!hasDocker() || !hasHaproxy())('several services on Docker behind one HAProxy', () => {
  let fixture: PlaneFixture | undefined;
  const docker = new Dockerode();
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
    await docker.getImage(SECOND_IMAGE).remove().catch(() => undefined);
  });

  it('scales one 1 -> 3 -> 1 and adds and removes a third under GET and 64 KiB POST load on two, with no request of either lost', async () => {
    fixture = await startPlane({ driver: 'docker' }, { desired: 1 });
    const app = fixture;
    // A second image reference (a tag of the sample image: nothing is pulled).
    await docker.getImage('scaledeck/api:latest').tag({ repo: 'scaledeck/api', tag: 'services-it' });
    const added = await app.plane.addService({ name: 'api', image: SECOND_IMAGE, frontendPort: await freePort(), mode: 'manual', minReplicas: 1, maxReplicas: 4 });
    expect('result' in added ? added.result.name : added).toBe('api');
    await waitFor(() => readyOf(app, 'web') === 1 && readyOf(app, 'api') === 1, 60_000, 'one ready replica of each service');
    const apiFrontend = serviceOf(app, 'api')!.frontendUrl;
    expect(apiFrontend).not.toBe(app.frontend);

    const durationS = 40;
    const webLoads = loadBoth(app.frontend, durationS);
    const apiLoads = loadBoth(apiFrontend, durationS);
    await new Promise((resolve) => setTimeout(resolve, 2000));

    expect(await app.plane.scale({ replicas: 3 }, 'api')).toEqual({ result: { desired: 3, mode: 'manual' } });
    await waitFor(() => readyOf(app, 'api') === 3, 60_000, '3 ready replicas of api');
    expect(countOf(app, 'web')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await app.plane.scale({ replicas: 1 }, 'api');
    await waitFor(() => countOf(app, 'api') === 1, 60_000, 'api back to 1 replica');

    // A third service comes and goes while both others serve: each is a hitless reload of the one HAProxy.
    const extra = await app.plane.addService({ name: 'extra', image: SECOND_IMAGE, frontendPort: await freePort(), mode: 'manual', minReplicas: 1 });
    expect('result' in extra).toBe(true);
    await waitFor(() => readyOf(app, 'extra') === 1, 60_000, 'the extra service ready');
    expect((await hostsThroughFrontend(serviceOf(app, 'extra')!.frontendUrl, 5)).size).toBe(1);
    expect(await app.plane.removeService({ name: 'extra' })).toEqual({ result: { removed: 'extra' } });
    expect(app.plane.snapshot().services.map((s) => s.name)).toEqual(['web', 'api']);
    expect(webLoads.concat(apiLoads).every((l) => !l.progress().finished)).toBe(true);

    const web = await finishLoads(webLoads, 'services: web while api scaled 1->3->1 and extra came and went');
    const api = await finishLoads(apiLoads, 'services: api while it scaled 1->3->1 and extra came and went');
    for (const [what, report, rate] of [['web GET', web.get, 40], ['web POST', web.post, 10], ['api GET', api.get, 40], ['api POST', api.post, 10]] as const) {
      expectEveryRequestAnswered(report, rate * durationS, what);
    }
    // Each frontend reached only its own service: web's one replica, api's three.
    expect(web.get.hosts.size).toBe(1);
    expect(api.get.hosts.size).toBe(3);
    expect([...web.get.hosts].some((h) => api.get.hosts.has(h))).toBe(false);
  }, 240_000);

  it('keeps the other service serving and scaling when one cannot start its image, and says which', async () => {
    fixture = await startPlane({ driver: 'docker' }, { desired: 1 });
    const app = fixture;
    await waitFor(() => readyOf(app, 'web') === 1, 60_000, 'web ready');
    const broken = await app.plane.addService({ name: 'broken', image: 'scaledeck/no-such-image:nowhere', frontendPort: await freePort(), mode: 'manual', minReplicas: 1, holdTimeoutS: 1 });
    expect('result' in broken).toBe(true);
    await waitFor(() => app.plane.snapshot().events.some((e) => e.service === 'broken' && e.kind === 'error'), 30_000, 'an error event of the broken service');
    expect(await app.plane.scale({ replicas: 2 }, 'web')).toEqual({ result: { desired: 2, mode: 'manual' } });
    await waitFor(() => readyOf(app, 'web') === 2, 60_000, 'web scaled to 2 beside the broken service');
    expect((await hostsThroughFrontend(app.frontend, 20)).size).toBe(2);
    expect(readyOf(app, 'broken')).toBe(0);
    const brokenFrontend = await fetch(serviceOf(app, 'broken')!.frontendUrl, { signal: AbortSignal.timeout(10_000) });
    expect(brokenFrontend.status).toBe(503);
  }, 180_000);
});

describe.skipIf(!hasHaproxy())('several services as local processes, across a restart', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('adopts every service\'s replicas and HAProxy servers after a restart, restarting none', async () => {
    const first = await startPlane({ driver: 'process' }, { desired: 2 });
    fixture = first;
    await first.plane.addService({ name: 'api', frontendPort: await freePort(), mode: 'manual', minReplicas: 1 });
    await waitFor(() => readyOf(first, 'web') === 2 && readyOf(first, 'api') === 1, 30_000, 'both services ready');
    const before = Object.fromEntries(first.plane.snapshot().services.map((s) => [s.name, s.replicas.map((r) => r.id).sort()]));
    await first.plane.shutdown({ keepRunning: true });

    fixture = await startPlane({}, { dataDir: first.dataDir, app: first.app });
    const second = fixture;
    expect(second.plane.snapshot().services.map((s) => s.name)).toEqual(['web', 'api']);
    await waitFor(() => readyOf(second, 'web') === 2 && readyOf(second, 'api') === 1, 30_000, 'both services adopted');
    const after = Object.fromEntries(second.plane.snapshot().services.map((s) => [s.name, s.replicas.map((r) => r.id).sort()]));
    expect(after).toEqual(before);
    expect(second.plane.snapshot().events.some((e) => /HAProxy .* adopted, still serving/.test(e.message))).toBe(true);
    expect((await hostsThroughFrontend(serviceOf(second, 'api')!.frontendUrl, 5)).size).toBe(1);
  }, 120_000);

  it('routes the shared frontend by Host header and by path prefix to each service, and answers 404 where no route matches', async () => {
    const sharedPort = await freePort();
    fixture = await startPlane({ driver: 'process', sharedFrontendPort: sharedPort, routeHost: 'web.example' }, { desired: 1 });
    const app = fixture;
    const added = await app.plane.addService({ name: 'api', frontendPort: await freePort(), mode: 'manual', minReplicas: 1, routePathPrefix: '/work' });
    expect('result' in added).toBe(true);
    await waitFor(() => readyOf(app, 'web') === 1 && readyOf(app, 'api') === 1, 30_000, 'both services ready');
    const [web, api] = ['web', 'api'].map((name) => serviceOf(app, name)!.replicas[0]!.name);
    const viaShared = (pathname: string, host: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: sharedPort, path: pathname, headers: { host }, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    const byHost = await viaShared('/', 'web.example:8080');
    expect({ status: byHost.status, host: JSON.parse(byHost.body).host }).toEqual({ status: 200, host: web });
    const byPath = await viaShared('/work?ms=1', `127.0.0.1:${sharedPort}`);
    expect({ status: byPath.status, host: JSON.parse(byPath.body).host }).toEqual({ status: 200, host: api });
    expect((await viaShared('/', 'other.example')).status).toBe(404);
    // A route changed at run time is a reload like any HAProxy setting; with a host and a path both must match.
    expect('result' in await app.plane.updateSettings({ routeHost: 'api.example' }, 'api')).toBe(true);
    expect(JSON.parse((await viaShared('/work?ms=1', 'api.example')).body).host).toBe(api);
    expect((await viaShared('/work?ms=1', 'other.example')).status).toBe(404);
  }, 120_000);

  it('holds a scale-out that would pass the host CPU budget, naming what uses it', async () => {
    fixture = await startPlane({ driver: 'process', cpuLimit: 0.5, hostCpuBudget: 1.5 }, { desired: 2 });
    const app = fixture;
    await app.plane.addService({ name: 'api', frontendPort: await freePort(), mode: 'manual', minReplicas: 1, cpuLimit: 0.5 });
    await waitFor(() => readyOf(app, 'web') === 2 && readyOf(app, 'api') === 1, 30_000, 'both services ready');
    expect(await app.plane.scale({ replicas: 3 }, 'api')).toEqual({ result: { desired: 1, mode: 'manual' } });
    const held = app.plane.snapshot().events.find((e) => e.kind === 'hold' && e.service === 'api');
    expect(held?.message).toBe('api 1 -> 3 held: host CPU budget 1.5 of 1.5 in use (web 2 x 0.5, api 1 x 0.5)');
    expect(serviceOf(app, 'api')?.lastReason).toBe(held?.message);
    // Room made by one service is room for the other.
    await app.plane.scale({ replicas: 1 }, 'web');
    expect(await app.plane.scale({ replicas: 3 }, 'api')).toEqual({ result: { desired: 2, mode: 'manual' } });
    await waitFor(() => readyOf(app, 'api') === 2 && countOf(app, 'web') === 1, 30_000, 'api at 2 within the budget');
  }, 120_000);

  it('migrates a data folder from before services, replicas running, to the service web without restarting anything', async () => {
    const first = await startPlane({ driver: 'process', maxReplicas: 6, cpuLimit: 0.25 }, { desired: 2 });
    fixture = first;
    await waitFor(() => first.ready() === 2, 30_000, '2 ready replicas');
    const replicas = first.plane.snapshot().replicas.map((r) => r.id).sort();
    await first.plane.shutdown({ keepRunning: true });
    // The file as the version before services wrote it: every setting flat, one desired count.
    const file = path.join(first.dataDir, 'settings.json');
    const { settings, desired } = readSettingsFile(file);
    writeFileSync(file, JSON.stringify({ settings, desired }));
    const before = readFileSync(path.join(first.dataDir, 'haproxy.pid'), 'utf8');

    fixture = await startPlane({}, { dataDir: first.dataDir, app: first.app });
    const second = fixture;
    await waitFor(() => second.ready() === 2, 30_000, 'the 2 replicas adopted');
    const snapshot = second.plane.snapshot();
    expect(snapshot.services.map((s) => s.name)).toEqual(['web']);
    expect(snapshot.replicas.map((r) => r.id).sort()).toEqual(replicas);
    expect(snapshot.settings).toMatchObject({ driver: 'process', maxReplicas: 6, cpuLimit: 0.25 });
    expect(snapshot.events.some((e) => e.message.startsWith('The settings file was from before services'))).toBe(true);
    expect(readFileSync(path.join(first.dataDir, 'haproxy.pid'), 'utf8')).toBe(before);
    expect(readSettingsFile(file).file).toMatchObject({ settings: { driver: 'process' }, services: [{ name: 'web', settings: { maxReplicas: 6, cpuLimit: 0.25 }, desired: 2 }] });
  }, 120_000);
});
