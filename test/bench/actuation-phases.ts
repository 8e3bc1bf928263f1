// Times each step of ScaleDeck's scale-out on its own (the same driver, health wait and runtime API calls the
// controller makes), to show where the time from request to first answer goes.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { waitForHealth } from '../../electron/core/service/replica-health.js';
import { HaproxyBackend } from '../../electron/core/service/haproxy-backend.js';
import { DockerDriver } from '../../electron/core/replicas/docker-driver.js';
import { ProcessDriver } from '../../electron/core/replicas/process-driver.js';
import type { ReplicaDriver } from '../../electron/core/replicas/replica-driver.js';
import { defaultSettings } from '../../electron/contract/settings-schema.js';
import { renderHaproxyConfig } from '../../haproxy/config.js';
import { writeHoldScript } from '../../haproxy/request-hold.js';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { benchPaths } from './bench-paths.js';
import { waitForNewHost } from './frontend-probe.js';
import { benchTempDir, freePort, removeContainersOf, sleep, stopHaproxyOf } from './headless-shell.js';
import { spreadOf } from './summary.js';
import { onTeardown } from './teardown.js';

const PHASES = ['create and start', 'answers its health path', 'added to HAProxy', 'HAProxy reports it UP', 'first answer through the frontend'] as const;

/** Median duration of each scale-out step over `runs` replicas, in words. */
export async function actuationPhases(app: string, driverKind: 'docker' | 'process', runs: number): Promise<string> {
  const dataDir = benchTempDir();
  const [frontendPort, statsPort] = [await freePort(), await freePort()];
  const spec = { ...defaultSettings };
  const supervisor = new HaproxySupervisor({
    dataDir,
    renderConfig: () => renderHaproxyConfig({ dataDir, ...spec, frontendPort, statsPort, frontendHost: '127.0.0.1' }),
  });
  const driver: ReplicaDriver = driverKind === 'docker'
    ? new DockerDriver({ app })
    : new ProcessDriver({ app, dataDir: path.join(dataDir, 'replicas'), serverScript: benchPaths.apiServerJs });
  const release = onTeardown(`the scale-out phase timer in ${dataDir}`, async () => {
    for (const replica of await driver.list().catch(() => [])) await driver.remove(replica.id, 0).catch(() => undefined);
    await driver.close();
    await supervisor.stop().catch(() => undefined);
    if (driverKind === 'docker') await removeContainersOf(app);
    await stopHaproxyOf(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    // The default settings hold requests at zero replicas, so the config loads the hold's script.
    await writeHoldScript(dataDir);
    await supervisor.start();
    const backend = new HaproxyBackend(() => supervisor.client);
    const frontend = `http://127.0.0.1:${frontendPort}/`;
    const steps: number[][] = PHASES.map(() => []);
    for (let run = 0; run < runs; run++) {
      const at = [Date.now()];
      const replica = await driver.create(spec);
      at.push(Date.now());
      await waitForHealth(`http://${replica.host}:${replica.hostPort}${spec.healthPath}`, 30_000);
      at.push(Date.now());
      await backend.add(replica.name, replica.host, replica.hostPort);
      at.push(Date.now());
      for (let i = 0; i < 300 && !(await backend.servers()).find((s) => s.name === replica.name)?.up; i++) await sleep(20);
      at.push(Date.now());
      await waitForNewHost(frontend, new Set(), 10_000);
      at.push(Date.now());
      PHASES.forEach((_, i) => steps[i]?.push(((at[i + 1] as number) - (at[i] as number)) / 1000));
      await backend.remove(replica.name, 5_000);
      await driver.remove(replica.id, 0);
    }
    const medians = PHASES.map((phase, i) => `${phase} ${(spreadOf(steps[i] ?? [])?.median ?? NaN).toFixed(2)} s`);
    return `where ScaleDeck's scale-out time goes (${driverKind}, median of ${runs}): ${medians.join(', ')}`;
  } finally {
    await release();
  }
}
