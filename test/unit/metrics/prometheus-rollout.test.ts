import { describe, expect, it } from 'vitest';
import { createPrometheusRegistry } from '../../../electron/core/metrics/prometheus.js';
import { idleRollout, makeSnapshot } from '../renderer/fake-bridge.js';

describe('/metrics during a rollout', () => {
  it('says whether a rollout runs or is paused, and how far it got', async () => {
    let snapshot = makeSnapshot({ rollout: { ...idleRollout, state: 'running', from: 'latest 11111111', to: 'v2 22222222', replaced: 2, total: 4 } });
    const registry = createPrometheusRegistry({ snapshot: () => snapshot, subscribe: () => () => undefined });
    const running = await registry.metrics();
    expect(running).toMatch(/^scaledeck_rollout_running\{service="web"\} 1$/m);
    expect(running).toMatch(/^scaledeck_rollout_paused\{service="web"\} 0$/m);
    expect(running).toMatch(/^scaledeck_rollout_replaced\{service="web"\} 2$/m);
    expect(running).toMatch(/^scaledeck_rollout_total\{service="web"\} 4$/m);

    snapshot = makeSnapshot({ rollout: { ...idleRollout, state: 'paused', replaced: 0, total: 2, reason: 'no new replica became ready within 60 s' } });
    expect(await registry.metrics()).toMatch(/^scaledeck_rollout_paused\{service="web"\} 1$/m);
    snapshot = makeSnapshot();
    expect(await registry.metrics()).toMatch(/^scaledeck_rollout_running\{service="web"\} 0$/m);
  });
});
