// p50 and p95 request latency from HAProxy's own timings, beside the request chart, with any latency rule's thresholds.
import { memo } from 'react';
import type { Settings } from '../electron/contract.js';
import type { HistoryFeed } from './history-feed.js';
import { NO_VALUE } from './format.js';
import { useStoreValue } from './value-store.js';

const formatMs = (value: number | null | undefined): string => (value == null ? NO_VALUE : `${Math.round(value)} ms`);

export interface LatencyReadoutProps {
  feed: HistoryFeed;
  rules: Settings['rules'];
}

export const LatencyReadout = memo(function LatencyReadout({ feed, rules }: LatencyReadoutProps) {
  const view = useStoreValue(feed.view);
  const latest = view.latest;
  const latencyRules = rules.filter((rule) => rule.metric === 'latency-p95');
  const p95 = latest?.latencyP95Ms ?? null;
  const above = latencyRules.some((rule) => p95 !== null && p95 > rule.scaleUpThreshold);
  return (
    <section className="card latency-readout" aria-label="Request latency">
      <h2>Latency</h2>
      <dl>
        <div>
          <dt>p50</dt>
          <dd>{formatMs(latest?.latencyP50Ms)}</dd>
        </div>
        <div className={above ? 'above-threshold' : undefined}>
          <dt>p95</dt>
          <dd>{formatMs(p95)}</dd>
        </div>
      </dl>
      {latencyRules.map((rule, i) => (
        <p key={i} className="note">
          p95 rule: up above {rule.scaleUpThreshold} ms, down below {rule.scaleDownThreshold} ms
        </p>
      ))}
    </section>
  );
});
