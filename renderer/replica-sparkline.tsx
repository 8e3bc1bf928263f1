// A service's ready and desired replica counts over the last few minutes, as two small step lines in its overview row.
// Drawn in the overview's own frame, outside React, like the charts' live series: a sample costs no render.
import { memo, useLayoutEffect, useRef } from 'react';
import type { HistoryBuffer } from './history-buffer.js';
import { TREND_WINDOW_MS, type ServiceSamples } from './service-samples.js';

export const SPARKLINE_WIDTH = 96;
export const SPARKLINE_HEIGHT = 24;
/** Room above and below the lines so a 2 px stroke at 0 or the top stays whole. */
const PAD = 2;

/** The `d` of a step line through `value` over the trend's last window, or '' with fewer than two points. */
export function stepPath(trend: HistoryBuffer, value: (index: number) => number, top: number, endAt: number): string {
  const startAt = endAt - TREND_WINDOW_MS;
  const first = Math.max(0, trend.firstIndexAtOrAfter(startAt) - 1);
  if (trend.size - first < 2) return '';
  const x = (at: number) => (Math.max(0, at - startAt) / TREND_WINDOW_MS) * SPARKLINE_WIDTH;
  const y = (count: number) => PAD + (1 - count / top) * (SPARKLINE_HEIGHT - 2 * PAD);
  let d = `M${x(trend.at(first).at).toFixed(1)},${y(value(first)).toFixed(1)}`;
  for (let i = first + 1; i < trend.size; i++) d += `H${x(trend.at(i).at).toFixed(1)}V${y(value(i)).toFixed(1)}`;
  return d;
}

export const ReplicaSparkline = memo(function ReplicaSparkline({ samples, service }: { samples: ServiceSamples; service: string }) {
  const ready = useRef<SVGPathElement | null>(null);
  const desired = useRef<SVGPathElement | null>(null);
  useLayoutEffect(() => {
    let drawnLatest: number | undefined;
    const draw = () => {
      const trend = samples.trend(service);
      const latest = trend?.latest();
      if (!trend || !latest || latest.at === drawnLatest) return;
      drawnLatest = latest.at;
      let top = 1;
      for (let i = trend.firstIndexAtOrAfter(latest.at - TREND_WINDOW_MS); i < trend.size; i++) top = Math.max(top, trend.at(i).desired, trend.at(i).ready);
      ready.current?.setAttribute('d', stepPath(trend, (i) => trend.at(i).ready, top, latest.at));
      desired.current?.setAttribute('d', stepPath(trend, (i) => trend.at(i).desired, top, latest.at));
    };
    return samples.frame.add(draw);
  }, [samples, service]);
  return (
    <svg
      className="sparkline"
      width={SPARKLINE_WIDTH}
      height={SPARKLINE_HEIGHT}
      viewBox={`0 0 ${SPARKLINE_WIDTH} ${SPARKLINE_HEIGHT}`}
      role="img"
      aria-label={`${service}: ready (solid) and desired (dashed) replicas over the last ${TREND_WINDOW_MS / 60_000} minutes`}
    >
      <path ref={desired} className="spark-desired" d="" />
      <path ref={ready} className="spark-ready" d="" />
    </svg>
  );
});
