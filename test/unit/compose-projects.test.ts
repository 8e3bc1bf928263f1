// Specification of applying a Compose plan to the app's services, on a real settings store and a recording engine and
// host: what a first apply adds, what applying an edited file changes (and only that), what it removes, and that a
// file with one bad service changes nothing at all.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AddServiceInput, Result } from '../../electron/contract/contract.js';
import { ComposeProjects, type ComposeEngine, type ComposeHost } from '../../electron/core/compose/compose-projects.js';
import { planCompose } from '../../electron/core/compose/compose-plan.js';
import type { ServiceOrigin } from '../../electron/core/compose/service-origin.js';
import { SettingsStore } from '../../electron/core/settings-store.js';

const file = (image: string, extra = '') => `name: shop
services:
  api:
    image: ${image}
    environment: { MODE: blue${extra} }
    ports: ["127.0.0.1:18080:8000"]
    x-scaledeck: { healthPath: /healthz, maxReplicas: 4, metric: rps-per-replica, scaleUpThreshold: 50, scaleDownThreshold: 5 }
  admin:
    image: scaledeck/api:latest
    ports: ["127.0.0.1:18081:8000"]
  db:
    image: postgres:16
    volumes: [data:/var/lib/postgresql/data]
volumes:
  data:
`;

interface Recorded {
  calls: string[];
  rolledOut: string[];
  relays: string[];
  built: string[];
}

function setup(dir: string, images = new Set(['scaledeck/api:latest', 'scaledeck/api:v2'])) {
  const store = new SettingsStore(dir);
  const recorded: Recorded = { calls: [], rolledOut: [], relays: [], built: [] };
  const engine: ComposeEngine = {
    plan: (source) => planCompose(source),
    ensureNetworks: async () => undefined,
    states: async () => new Map([['db', 'running' as const]]),
    imageExists: async (image) => images.has(image),
    build: async (_build, tag) => {
      recorded.built.push(tag);
      images.add(tag);
    },
    relayImage: 'scaledeck/api:latest',
    ensureRelay: async (service) => void recorded.relays.push(`ensure ${service}`),
    removeNetworks: async (plan) => void recorded.relays.push(`networks of ${plan.project} removed`),
    removeRelay: async (service) => void recorded.relays.push(`remove ${service}`),
  };
  const ok = <T>(result: T): Result<T> => ({ result });
  const host: ComposeHost = {
    store,
    driverKind: () => 'docker',
    add: async (input: AddServiceInput, origin: ServiceOrigin, desired) => {
      const { name, ...patch } = input;
      recorded.calls.push(`add ${name}${desired === undefined ? '' : ` x${desired}`}`);
      store.addService(name, patch, origin);
      return ok({ name } as never);
    },
    update: async (name, patch) => {
      recorded.calls.push(`update ${name} ${Object.keys(patch).sort().join(',')}`);
      return ok(store.service(name).update(patch));
    },
    remove: async (name) => {
      recorded.calls.push(`remove ${name}`);
      store.removeService(name);
      return ok({ removed: name });
    },
    rollOut: (name) => void recorded.rolledOut.push(name),
    freePort: async () => 19999,
  };
  return { store, recorded, engine, host, projects: new ComposeProjects(engine, host) };
}

describe('applying a Compose plan', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sd-compose-projects-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds each scaled service as <project>.<service> with its settings and runtime, and leaves the rest to Compose', async () => {
    const { store, recorded, projects } = setup(dir);
    const planned = await projects.plan({ yaml: file('scaledeck/api:latest') });
    expect('result' in planned && planned.result.services.map((s) => [s.name, s.scale, s.change ?? s.state])).toEqual([
      ['api', true, 'add'], ['admin', true, 'add'], ['db', false, 'running'],
    ]);
    expect(recorded.calls).toEqual([]);

    const applied = await projects.apply({ yaml: file('scaledeck/api:latest') });
    expect('result' in applied && applied.result.applied).toBe(true);
    expect(recorded.calls).toEqual(['add shop.api', 'add shop.admin']);
    expect(recorded.relays).toEqual(['ensure shop.api', 'ensure shop.admin']);
    const api = store.service('shop.api');
    expect(api.settings).toMatchObject({ image: 'scaledeck/api:latest', containerPort: 8000, frontendHost: '127.0.0.1', frontendPort: 18080, healthPath: '/healthz', maxReplicas: 4 });
    expect(api.origin).toMatchObject({ project: 'shop', service: 'api', runtime: { environment: { MODE: 'blue' }, networks: [{ name: 'shop_default', aliases: [] }] } });
    expect(store.projects.map((p) => p.project)).toEqual(['shop']);
  });

  it('applies an edited file by changing only what changed: a new image is a settings change, a new environment a rollout', async () => {
    const { recorded, projects } = setup(dir);
    await projects.apply({ yaml: file('scaledeck/api:latest') });
    recorded.calls.length = 0;

    // The file's first rule, written flat in x-scaledeck, is the service's rules' first: the same file changes nothing.
    const again = await projects.plan({ yaml: file('scaledeck/api:latest') });
    expect('result' in again && again.result.services.filter((s) => s.scale).map((s) => s.change)).toEqual(['keep', 'keep']);
    await projects.apply({ yaml: file('scaledeck/api:v2') });
    expect(recorded.calls).toEqual(['update shop.api image']);
    expect(recorded.rolledOut).toEqual([]);

    recorded.calls.length = 0;
    await projects.apply({ yaml: file('scaledeck/api:v2', ', COLOUR: green') });
    expect(recorded.calls).toEqual([]);
    expect(recorded.rolledOut).toEqual(['shop.api']);
  });

  it('drains and removes a service gone from the file, and the whole project on request, leaving Compose\'s alone', async () => {
    const { store, recorded, projects } = setup(dir);
    await projects.apply({ yaml: file('scaledeck/api:latest') });
    const withoutAdmin = file('scaledeck/api:latest').replace(/ {2}admin:\n(?: {4}.*\n)+/, '');
    const planned = await projects.plan({ yaml: withoutAdmin });
    expect('result' in planned && planned.result.removes).toEqual(['shop.admin']);
    await projects.apply({ yaml: withoutAdmin });
    expect(recorded.calls.at(-1)).toBe('remove shop.admin');
    expect(store.serviceNames).toEqual(['web', 'shop.api']);

    expect(await projects.remove('shop')).toEqual({ result: { removed: ['shop.api'] } });
    expect(store.serviceNames).toEqual(['web']);
    expect(store.projects).toEqual([]);
    expect(await projects.remove('shop')).toMatchObject({ notFound: true, field: 'project' });
  });

  it('changes nothing when one service of the file is bad, naming it and the key', async () => {
    const { store, recorded, projects } = setup(dir);
    const bad = file('scaledeck/api:latest').replace('maxReplicas: 4', 'maxReplicas: 4, minReplicas: 9');
    const answer = await projects.apply({ yaml: bad });
    expect(answer).toMatchObject({ field: expect.stringMatching(/^services\.api\..*minReplicas$/) });
    expect('error' in answer && answer.error).toMatch(/service "api": x-scaledeck\.minReplicas/);
    const missing = await projects.apply({ yaml: file('scaledeck/api:not-built') });
    expect('error' in missing && missing.error).toMatch(/image: scaledeck\/api:not-built is not in the Docker engine/);
    expect(recorded.calls).toEqual([]);
    expect(store.serviceNames).toEqual(['web']);
  });

  it('builds a service that has only build: once, tagged as Compose tags it, before adding it', async () => {
    const { store, recorded, projects } = setup(dir);
    const yaml = 'name: shop\nservices:\n  site:\n    build: .\n    ports: ["127.0.0.1:18082:8000"]\n';
    await projects.apply({ yaml, projectDir: dir });
    expect(recorded.built).toEqual(['shop-site:latest']);
    expect(store.service('shop.site').settings.image).toBe('shop-site:latest');
    await projects.apply({ yaml, projectDir: dir });
    expect(recorded.built).toEqual(['shop-site:latest']);
  });

  it('keeps the project it applied when a relay cannot start, and says which service is not reachable by name', async () => {
    const { store, engine, host } = setup(dir);
    const failing = new ComposeProjects({ ...engine, ensureRelay: async () => { throw new Error('no network'); } }, host);
    const answer = await failing.apply({ yaml: file('scaledeck/api:latest') });
    expect(answer).toMatchObject({ field: 'services.api' });
    expect('error' in answer && answer.error).toMatch(/relay that answers to "api".*no network/);
    expect(store.serviceNames).toEqual(['web', 'shop.api', 'shop.admin']);
    expect(store.projects.map((p) => p.project)).toEqual(['shop']);
  });
});
