// One ScaleDeck per data folder: a second one started on the same folder says who holds it and leaves.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../support/requirements.js';
import { startPlane, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';

describe.skipIf(!hasHaproxy())('a second instance on the same data folder', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('prints one line naming the PID that holds the folder, exits non-zero, and leaves the first untouched', async () => {
    fixture = await startPlane({ driver: 'process' }, { desired: 1 });
    await waitFor(() => fixture!.ready() === 1, 30_000, 'the first replica');
    const before = fixture.plane.snapshot();
    const second = spawn(process.execPath, ['dist/electron/shells/headless/server.js', '--port', '0', '--data-dir', fixture.dataDir], {
      env: { ...process.env, SCALEDECK_QUIET: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    second.stdout.on('data', (chunk) => (output += chunk));
    second.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([
      `ScaleDeck could not start: Another ScaleDeck (pid ${process.pid}) is already using the data folder ${fixture.dataDir}: quit it first, or start this one with another SCALEDECK_DATA_DIR`,
    ]);
    const after = fixture.plane.snapshot();
    expect(after.replicas.map((r) => r.id)).toEqual(before.replicas.map((r) => r.id));
    expect(after.haproxy.running).toBe(true);
    expect(after.desired).toBe(before.desired);
  });
});
