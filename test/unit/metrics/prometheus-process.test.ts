import { describe, expect, it } from 'vitest';
import { createPrometheusRegistry } from '../../../electron/core/metrics/prometheus.js';
import { makeSnapshot } from '../renderer/fake-bridge.js';

describe("/metrics: Node's process metrics", () => {
  it('start with the first scrape, are in its answer, and are registered once however often it is scraped', async () => {
    const snapshot = makeSnapshot();
    const registry = createPrometheusRegistry({ snapshot: () => snapshot, subscribe: () => () => undefined });
    expect(registry.getSingleMetric('scaledeck_process_cpu_user_seconds_total')).toBeUndefined();
    expect(registry.getSingleMetric('scaledeck_nodejs_eventloop_lag_seconds')).toBeUndefined();

    const first = await registry.metrics();
    expect(first).toMatch(/^scaledeck_process_cpu_user_seconds_total \d/m);
    expect(first).toMatch(/^scaledeck_nodejs_eventloop_lag_seconds \d/m);
    expect(first).toMatch(/^scaledeck_replicas_desired\{service="web"\} \d+$/m);

    const second = await registry.metrics();
    expect(second.match(/^# TYPE scaledeck_process_cpu_user_seconds_total /gm)).toHaveLength(1);
  });
});
