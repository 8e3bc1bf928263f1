// /metrics carries the scale-to-zero and warm-spare figures: requests held in HAProxy, and spares out of rotation.
import { describe, expect, it } from 'vitest';
import { createPrometheusRegistry } from '../../../electron/core/metrics/prometheus.js';
import { makeReplica, makeSample, makeSnapshot, T0 } from '../renderer/fake-bridge.js';

describe('Prometheus export of held requests and standby replicas', () => {
  it('reports the held count of the latest sample and the replicas in standby, apart from the ready ones', async () => {
    const snapshot = makeSnapshot({
      replicas: [makeReplica({ id: 'a', state: 'ready' }), makeReplica({ id: 'b', state: 'standby' }), makeReplica({ id: 'c', state: 'standby' })],
      sample: makeSample(T0, { held: 3 }),
    });
    const registry = createPrometheusRegistry({ snapshot: () => snapshot, subscribe: () => () => undefined });
    const text = await registry.metrics();
    expect(text).toMatch(/^scaledeck_held_requests\{service="web"\} 3$/m);
    expect(text).toMatch(/^scaledeck_replicas_standby\{service="web"\} 2$/m);
    expect(text).toMatch(/^scaledeck_replicas_ready\{service="web"\} 1$/m);
  });
});
