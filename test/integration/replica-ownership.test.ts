// Whose containers a running plane takes, on a real Docker engine: a container with this app's labels but another
// data folder's instance is never adopted nor removed (not even at shutdown); one made before the instance label
// existed is adopted and said so; the replicas the plane makes gain no privileges and have a bounded process count.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { API_IMAGE_TAG } from '../../electron/core/image/image-builder.js';
import { CONTAINER_PORT_LABEL } from '../../electron/core/replicas/docker-driver.js';
import { GENERATION_LABEL, HEALTH_PATH_LABEL, generationOf, specOf } from '../../electron/core/replicas/generation.js';
import { APP_LABEL, INSTANCE_LABEL, MANAGED_LABEL } from '../../electron/core/replicas/replica-driver.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { freePort, startPlane, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';

describe.skipIf(!hasHaproxy() || !hasDocker())('which containers a running plane takes as its replicas', () => {
  const docker = new Dockerode();
  const app = `own${Math.random().toString(16).slice(2, 8)}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scaledeck-own-'));
  const made: Dockerode.Container[] = [];
  let fixture: PlaneFixture | undefined;

  afterAll(async () => {
    await fixture?.stop();
    await Promise.all(made.map((c) => c.remove({ force: true }).catch(() => undefined)));
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A running api container published on 127.0.0.1, labelled as an older or another ScaleDeck would label it. */
  async function labelled(name: string, labels: Record<string, string>): Promise<Dockerode.Container> {
    const container = await docker.createContainer({
      name: `${app}-${name}`,
      Image: API_IMAGE_TAG,
      Labels: labels,
      Env: ['PORT=8000'],
      ExposedPorts: { '8000/tcp': {} },
      HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    made.push(container);
    await container.start();
    return container;
  }

  it('leaves another data folder\'s container alone, adopts an unmarked one saying so, and hardens its own', async () => {
    const store = new SettingsStore(dataDir);
    store.update({ driver: 'docker', frontendPort: await freePort(), statsPort: await freePort(), mode: 'manual', minReplicas: 0, maxReplicas: 4 });
    store.setDesired(1);
    const spec = specOf(store.settings);
    const instance = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
    const replicaLabels = {
      [MANAGED_LABEL]: 'true', [APP_LABEL]: app, [CONTAINER_PORT_LABEL]: '8000', [GENERATION_LABEL]: generationOf(spec), [HEALTH_PATH_LABEL]: spec.healthPath,
    };
    const foreign = await labelled('foreign', { ...replicaLabels, [INSTANCE_LABEL]: 'ffffffffffff' });
    const unmarked = await labelled('unmarked', replicaLabels);
    expect(instance).not.toBe('ffffffffffff');

    fixture = await startPlane({}, { dataDir, app });
    const plane = fixture.plane;
    const names = () => plane.snapshot().replicas.map((r) => r.name).sort();
    await waitFor(() => fixture!.ready() === 1, 60_000, 'the unmarked container adopted as the one replica');
    expect(names()).toEqual([`${app}-unmarked`]);
    const adoptions = plane.snapshot().events.filter((e) => /^Adopted container/.test(e.message));
    expect(adoptions.map((e) => e.message)).toEqual([expect.stringContaining(`${app}-unmarked`)]);

    await plane.scale({ replicas: 2 });
    await waitFor(() => fixture!.ready() === 2, 60_000, 'a replica of its own');
    const own = plane.snapshot().replicas.find((r) => r.name !== `${app}-unmarked`)!;
    const hostConfig = (await docker.getContainer(own.id).inspect()).HostConfig;
    expect(hostConfig.SecurityOpt).toEqual(['no-new-privileges']);
    expect(hostConfig.PidsLimit).toBe(256);
    expect((await docker.getContainer(own.id).inspect()).Config.Labels[INSTANCE_LABEL]).toBe(instance);
    expect(names()).not.toContain(`${app}-foreign`);

    // Down to none, then a stop that removes what the plane runs: the other data folder's container still runs.
    await plane.scale({ replicas: 0 });
    await waitFor(() => plane.snapshot().replicas.length === 0, 60_000, 'no replica left');
    await plane.shutdown({ keepRunning: false });
    const states = await Promise.all([foreign, unmarked].map(async (c) => (await c.inspect().catch(() => null))?.State.Running ?? 'removed'));
    console.log(`[ownership] after scale to 0 and shutdown: foreign ${states[0]}, unmarked ${states[1]}; adoption event: ${adoptions[0]?.message}`);
    expect(states).toEqual([true, 'removed']);
  });
});
