// No setting can end the control plane: every setting's harshest value, fed over HTTP to a running plane with the
// Docker and the process driver (the Swarm run is in swarm.test.ts), is answered, and the plane still serves after.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHeadlessServer, type HeadlessServer } from '../../electron/shells/headless/headless-server.js';
import { hostsThroughFrontend, startPlane, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';
import { hasDocker, hasHaproxy } from '../support/requirements.js';
import { feedWorstValues } from '../support/worst-settings.js';

const TOKEN = 'worst-settings-test-token-0123456789';

describe.skipIf(!hasHaproxy())('every setting at its worst value', () => {
  let fixture: PlaneFixture | undefined;
  let server: HeadlessServer | undefined;
  afterEach(async () => {
    await server?.close();
    await fixture?.stop();
    server = undefined;
    fixture = undefined;
  });

  it.each(['process', 'docker'] as const)('leaves the %s driver plane answering and serving', async (driver) => {
    if (driver === 'docker' && !hasDocker()) return;
    fixture = await startPlane({ driver }, { desired: 1 });
    await waitFor(() => fixture!.ready() === 1, 60_000, 'one ready replica');
    server = await startHeadlessServer({ target: fixture.plane, host: '127.0.0.1', port: 0, token: TOKEN, rendererDir: path.resolve('dist/renderer') });
    const run = await feedWorstValues(server.port, TOKEN);
    console.log(`[worst settings / ${driver}] applied and set back: ${run.applied.length}; refused: ${run.refused.join(', ')}; slowest answer ${run.slowest.ms.toFixed(0)} ms (${run.slowest.name})`);
    expect(run.refused).toEqual(expect.arrayContaining(['haproxyPath (403)', 'dockerHost (403)']));
    expect(run.applied.length).toBeGreaterThanOrEqual(30);
    // Back where it started: the rollouts to broken versions were undone, and a replica serves through HAProxy.
    await waitFor(() => fixture!.plane.snapshot().rollout.state === 'idle' && fixture!.ready() >= 1, 120_000, 'the plane to settle on a ready replica');
    expect((await hostsThroughFrontend(fixture.plane.frontendUrl(), 5)).size).toBeGreaterThanOrEqual(1);
  });
});
