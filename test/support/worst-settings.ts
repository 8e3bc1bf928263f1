// The harshest value each setting accepts, fed one at a time to a running control plane through its HTTP API: none
// may end the control plane or stop it answering. Shared by the Docker, process and Swarm runs.
import { expect } from 'vitest';
import type { Settings, SettingsPatch, Snapshot } from '../../electron/contract/contract.js';
import { LOCAL_ONLY_SETTINGS } from '../../electron/contract/contract.js';
import { SettingsShape } from '../../electron/contract/settings-schema.js';
import { apiCall } from './api-client.js';
import { freePort } from './waiting.js';

type WorstPatch = SettingsPatch;

/** Settings as a patch names them: the first rule's fields flat beside the rest, as the shorthand sends them. */
const flatView = (settings: Settings): Record<string, unknown> => ({ ...settings, ...settings.rules[0] });

const PORT_SETTINGS: ReadonlySet<string> = new Set(['frontendPort', 'statsPort']);

/** Per setting, a valid value that makes a replica, HAProxy or the policy work hardest or fail (each alone). */
export async function worstPatches(): Promise<Record<string, WorstPatch>> {
  const rps = { metric: 'rps-per-replica' as const };
  return {
    driver: { driver: 'swarm' },
    image: { image: 'scaledeck/no-such-image:never' },
    containerPort: { containerPort: 65535 },
    healthPath: { healthPath: '/never-answers?x=%00&y=$HOME' },
    cpuLimit: { cpuLimit: 0.05 },
    memoryLimitMb: { memoryLimitMb: 16 },
    frontendHost: { frontendHost: '0.0.0.0' },
    // No frontend of its own: served only by a route on the shared frontend, turned on for it.
    frontendPort: { frontendPort: 0, sharedFrontendPort: await freePort(), routePathPrefix: '/' },
    statsPort: { statsPort: await freePort() },
    minReplicas: { minReplicas: 0 },
    maxReplicas: { maxReplicas: 100 },
    mode: { mode: 'auto' },
    policy: { policy: 'target' },
    metric: { metric: 'latency-p95' },
    scaleUpThreshold: { ...rps, scaleUpThreshold: 10000 },
    scaleDownThreshold: { scaleDownThreshold: 0 },
    targetValue: { ...rps, targetValue: 10000 },
    rules: { rules: (['replica-cpu', 'host-cpu', 'replica-memory', 'latency-p95'] as const).map((metric) => ({ metric, scaleUpThreshold: 99, scaleDownThreshold: 0, targetValue: 0.001 })) },
    targetToleranceUp: { targetToleranceUp: 0 },
    targetToleranceDown: { targetToleranceDown: 1 },
    step: { step: 20 },
    breachSamples: { breachSamples: 600 },
    sampleIntervalMs: { sampleIntervalMs: 200 },
    scaleUpCooldownS: { scaleUpCooldownS: 3600 },
    scaleDownCooldownS: { scaleDownCooldownS: 3600 },
    scaleDownStabilizationS: { scaleDownStabilizationS: 3600 },
    warmupS: { warmupS: 600 },
    drainTimeoutS: { drainTimeoutS: 600 },
    holdTimeoutS: { holdTimeoutS: 300 },
    standbyReplicas: { standbyReplicas: 3 },
    slowStartS: { slowStartS: 600 },
    rolloutSurge: { rolloutSurge: 10 },
    rolloutDeadlineS: { rolloutDeadlineS: 5 },
    forecast: { forecast: 'scale' },
    forecastLeadS: { forecastLeadS: 3600 },
    // Eight windows always open, each firing every minute for a week: the most cron the policy can be given to read.
    schedules: { schedules: Array.from({ length: 8 }, (_, i) => ({ name: `always-${i}`, cron: '* * * * *', durationMin: 10080, minReplicas: 0, maxReplicas: 100, timezone: 'Pacific/Chatham' })) },
    pauseScaleIn: { pauseScaleIn: true },
    pauseScaleOut: { pauseScaleOut: true },
    keepRunningOnQuit: { keepRunningOnQuit: true },
    swarmService: { swarmService: `z${'9'.repeat(62)}` },
    haproxyPath: { haproxyPath: '/bin/false' },
    dockerHost: { dockerHost: 'tcp://192.0.2.1:2375' },
    // Room for no replica at all: every scale-out is held.
    hostCpuBudget: { hostCpuBudget: 0.05 },
    sharedFrontendHost: { sharedFrontendHost: '0.0.0.0' },
    sharedFrontendPort: { sharedFrontendPort: await freePort() },
    routeHost: { routeHost: `${'a'.repeat(63)}.${'b'.repeat(63)}.example` },
    routePathPrefix: { routePathPrefix: `/${'x'.repeat(199)}` },
  };
}

export interface WorstRun {
  /** Settings whose worst value was saved and then set back. */
  applied: string[];
  /** Settings whose worst value was refused, with the answer (e.g. spares with the swarm driver, or local-only ones). */
  refused: string[];
  /** The slowest answer to a change, and to which. */
  slowest: { name: string; ms: number };
}

/**
 * Feeds every setting its worst value over HTTP, one at a time, and sets it back: each answer is a 2xx or a 4xx with a
 * field (never a 5xx, never silence), and the API answers the next snapshot request after each.
 */
export async function feedWorstValues(port: number, token: string): Promise<WorstRun> {
  const patches = await worstPatches();
  expect(Object.keys(patches).sort()).toEqual(Object.keys(SettingsShape.shape).sort());
  const call = (method: string, route: string, body?: unknown) =>
    apiCall(port, token, method, route, { body: body === undefined ? undefined : JSON.stringify(body) });
  const snapshot = async () => {
    const reply = await call('GET', '/api/snapshot');
    expect(reply.status).toBe(200);
    return JSON.parse(reply.text) as Snapshot;
  };
  const run: WorstRun = { applied: [], refused: [], slowest: { name: '', ms: 0 } };
  for (const [name, patch] of Object.entries(patches)) {
    const before = flatView((await snapshot()).settings);
    const reply = await call('PATCH', '/api/settings', patch);
    if (reply.ms > run.slowest.ms) run.slowest = { name, ms: reply.ms };
    expect(reply.status, `${name}: ${reply.text.slice(0, 300)}`).toBeLessThan(500);
    if (reply.status !== 200) {
      expect(JSON.parse(reply.text).field, `${name}: ${reply.text}`).toEqual(expect.any(String));
      if ((LOCAL_ONLY_SETTINGS as readonly string[]).includes(name)) expect(reply.status).toBe(403);
      run.refused.push(`${name} (${reply.status})`);
      continue;
    }
    run.applied.push(name);
    expect(flatView((await snapshot()).settings)).toMatchObject(patch);
    // A port given up may be taken at once by another program (Docker publishes replicas on the same ephemeral
    // range), so a moved port moves on to a fresh one instead of back.
    const back = Object.fromEntries(
      await Promise.all(Object.keys(patch).map(async (key) => [key, PORT_SETTINGS.has(key) ? await freePort() : before[key]])),
    );
    const restored = await call('PATCH', '/api/settings', back);
    expect(restored.status, `setting ${name} back: ${restored.text.slice(0, 300)}`).toBe(200);
    if (restored.ms > run.slowest.ms) run.slowest = { name: `${name} set back`, ms: restored.ms };
  }
  return run;
}
