// GET /metrics: the control plane's state in Prometheus text format (prom-client), read fresh on every scrape.
import client from 'prom-client';
import type { ServiceView, Snapshot, StreamMessage } from '../../contract/contract.js';

/** How often the event-loop delay histogram samples, ms. */
const EVENT_LOOP_SAMPLE_MS = 1000;

export interface PrometheusSource {
  snapshot(): Snapshot;
  subscribe(listener: (message: StreamMessage) => void): () => void;
}

/**
 * Node's own process metrics (CPU, memory, GC, event-loop lag) begin with the first scrape. Their collectors run all
 * the time once started: a GC observer and a timer for the lag histogram. A control plane nobody scrapes pays nothing.
 */
class ScrapedRegistry extends client.Registry {
  private processMetricsStarted = false;

  override async metrics(): Promise<string> {
    if (!this.processMetricsStarted) {
      this.processMetricsStarted = true;
      // The lag histogram samples on a timer: at prom-client's default of 10 ms it wakes the process a hundred times a
      // second, the largest part of an idle control plane's CPU. Sampled once a second it still shows long stalls (a
      // stall of 200 ms is seen one time in five); the lag measured at each scrape is unchanged.
      client.collectDefaultMetrics({ register: this, prefix: 'scaledeck_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    }
    return super.metrics();
  }
}

export function createPrometheusRegistry(source: PrometheusSource): client.Registry {
  const registry = new ScrapedRegistry();
  const gauge = (name: string, help: string, read: (s: Snapshot) => number | null) =>
    new client.Gauge({
      name, help, registers: [registry],
      collect() {
        const value = read(source.snapshot());
        if (value !== null) this.set(value);
      },
    });
  // One series per service, labelled with its name; a service without a value this scrape has no series.
  const perService = (name: string, help: string, read: (s: ServiceView) => number | null) =>
    new client.Gauge({
      name, help, labelNames: ['service'], registers: [registry],
      collect() {
        this.reset();
        for (const service of source.snapshot().services) {
          const value = read(service);
          if (value !== null) this.set({ service: service.name }, value);
        }
      },
    });
  perService('scaledeck_replicas_desired', 'Replica count the controller converges to', (s) => s.desired);
  perService('scaledeck_replicas_ready', 'Replicas serving through HAProxy', (s) => s.replicas.filter((r) => r.state === 'ready').length);
  perService('scaledeck_replicas_total', 'Replicas in any state', (s) => s.replicas.length);
  perService('scaledeck_autoscaling_enabled', '1 in auto mode, 0 in manual mode', (s) => (s.settings.mode === 'auto' ? 1 : 0));
  gauge('scaledeck_host_cpu_percent', 'Host CPU use, % of all cores', (s) => s.sample?.hostCpu ?? null);
  perService('scaledeck_replica_cpu_percent', 'Mean CPU of ready replicas, % of their CPU limit', (s) => s.sample?.replicaCpu ?? null);
  perService('scaledeck_replica_memory_percent', 'Mean memory of ready replicas, % of their memory limit', (s) => s.sample?.replicaMemory ?? null);
  perService('scaledeck_request_latency_p50_milliseconds', 'Median HAProxy request time (%Ta) over the last sample interval', (s) => s.sample?.latencyP50Ms ?? null);
  perService('scaledeck_request_latency_p95_milliseconds', '95th percentile HAProxy request time (%Ta) over the last sample interval', (s) => s.sample?.latencyP95Ms ?? null);
  perService('scaledeck_request_latency_sample_size', 'Requests the latency percentiles of the last sample interval come from', (s) => s.sample?.latencySampleSize ?? null);
  perService('scaledeck_frontend_requests_per_second', 'Requests per second the service served (its HAProxy backend, through any frontend)', (s) => s.sample?.rps ?? null);
  perService('scaledeck_backend_sessions', 'Requests in flight in the backend', (s) => s.sample?.sessions ?? null);
  perService('scaledeck_held_requests', 'Requests HAProxy holds while no replica is up (scale from zero)', (s) => s.sample?.held ?? null);
  perService('scaledeck_replicas_standby', 'Warm spares: started, healthy, out of rotation', (s) => s.replicas.filter((r) => r.state === 'standby').length);
  gauge('scaledeck_haproxy_up', '1 when HAProxy answers on its runtime socket', (s) => (s.haproxy.running ? 1 : 0));
  perService('scaledeck_rollout_running', '1 while replicas of an older generation are being replaced (paused included)', (s) => (s.rollout.state === 'idle' ? 0 : 1));
  perService('scaledeck_rollout_paused', '1 when a rollout stopped because the new version did not get ready', (s) => (s.rollout.state === 'paused' ? 1 : 0));
  perService('scaledeck_rollout_replaced', 'Old replicas replaced so far in the current rollout', (s) => s.rollout.replaced);
  perService('scaledeck_rollout_total', 'Old replicas the current rollout replaces', (s) => s.rollout.total);
  gauge('scaledeck_docker_up', '1 when the Docker engine answers', (s) => (s.docker.reachable ? 1 : 0));
  const scaleEvents = new client.Counter({ name: 'scaledeck_scale_events_total', help: 'Changes of the desired replica count', labelNames: ['service'], registers: [registry] });
  source.subscribe((message) => {
    if (message.type === 'event' && message.event.kind === 'scale') scaleEvents.inc({ service: message.event.service ?? source.snapshot().services[0]?.name ?? '' });
  });
  return registry;
}
