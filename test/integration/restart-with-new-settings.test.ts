// A restarted app adopts the running HAProxy, unless the settings it was started with changed meanwhile.
import { describe, expect, it } from 'vitest';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { hasHaproxy } from '../support/requirements.js';
import { freePort, startPlane, waitFor } from '../support/control-plane-fixture.js';

describe.skipIf(!hasHaproxy())('restarting ScaleDeck after a settings change', () => {
  it('restarts an adopted HAProxy whose frontend port no longer matches the settings, and keeps the replicas', async () => {
    const first = await startPlane({ driver: 'process' }, { desired: 1 });
    await waitFor(() => first.ready() === 1, 30_000, 'a ready replica');
    const replicaIds = first.plane.snapshot().replicas.map((r) => r.id);
    const oldFrontend = first.frontend;
    await first.plane.shutdown({ keepRunning: true });

    // Edited while ScaleDeck was not running, as a person editing settings.json would.
    const newPort = await freePort();
    new SettingsStore(first.dataDir).update({ frontendPort: newPort });
    const second = await startPlane({}, { dataDir: first.dataDir, app: first.app });
    try {
      expect(second.frontend).toBe(`http://127.0.0.1:${newPort}/`);
      const answer = await waitFor(async () => (await fetch(second.frontend, { signal: AbortSignal.timeout(2000) })).ok, 10_000, 'the new frontend port to answer');
      expect(answer).toBe(true);
      await expect(fetch(oldFrontend, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
      // The new frontend can answer (servers carried across by the reload) before the controller's first observation.
      const adopted = await waitFor(() => {
        const ids = second.plane.snapshot().replicas.map((r) => r.id);
        return ids.length > 0 ? ids : null;
      }, 10_000, 'the replica adopted');
      expect(adopted).toEqual(replicaIds);
      expect(second.plane.snapshot().events.some((e) => e.message.includes('started with other settings'))).toBe(true);
    } finally {
      await second.stop();
    }
  });
});
