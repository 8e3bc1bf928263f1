// p50 and p95 request latency from HAProxy's own timings, beside the request chart, with any latency rule's thresholds.
// The figures are written in the live frame, like the charts' legends, so a sample costs no React render here.
import { memo, useLayoutEffect, useMemo, useRef } from 'react';
import type { Settings } from '../electron/contract/contract.js';
import type { HistoryFeed } from './history-feed.js';
import { NO_VALUE } from './format.js';

const formatMs = (value: number | null | undefined): string => (value == null ? NO_VALUE : `${Math.round(value)} ms`);

type Rule = Settings['rules'][number];

export interface LatencyReadoutProps {
  feed: HistoryFeed;
  /** The latency rules as JSON: a string, so the props stay equal between snapshots. */
  latencyRules: string;
}

/** The latency rules of a rule list, as LatencyReadout takes them. */
export function latencyRulesOf(rules: readonly Rule[]): string {
  return JSON.stringify(rules.filter((rule) => rule.metric === 'latency-p95'));
}

export const LatencyReadout = memo(function LatencyReadout({ feed, latencyRules }: LatencyReadoutProps) {
  const rules = useMemo(() => JSON.parse(latencyRules) as Rule[], [latencyRules]);
  const p50 = useRef<HTMLElement | null>(null);
  const p95 = useRef<HTMLElement | null>(null);
  const p95Row = useRef<HTMLDivElement | null>(null);
  useLayoutEffect(() => {
    let shown = '';
    const draw = () => {
      const latest = feed.view.get().latest;
      const value = latest?.latencyP95Ms ?? null;
      const above = rules.some((rule) => value !== null && value > rule.scaleUpThreshold);
      const text = `${formatMs(latest?.latencyP50Ms)}|${formatMs(value)}|${above}`;
      if (text === shown || !p50.current || !p95.current || !p95Row.current) return;
      shown = text;
      p50.current.textContent = formatMs(latest?.latencyP50Ms);
      p95.current.textContent = formatMs(value);
      p95Row.current.classList.toggle('above-threshold', above);
    };
    draw();
    return feed.frame.add(draw);
  }, [feed, rules]);
  return (
    <section className="card latency-readout" aria-label="Request latency">
      <h2>Latency</h2>
      <dl>
        <div>
          <dt>p50</dt>
          <dd ref={p50} />
        </div>
        <div ref={p95Row}>
          <dt>p95</dt>
          <dd ref={p95} />
        </div>
      </dl>
      {rules.map((rule, i) => (
        <p key={i} className="note">
          p95 rule: up above {rule.scaleUpThreshold} ms, down below {rule.scaleDownThreshold} ms
        </p>
      ))}
    </section>
  );
});
