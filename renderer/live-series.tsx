// The live lines of one chart, drawn outside recharts' data flow: reads the plot area and Y scale recharts laid out,
// then on each published sample writes its paths' `d` and moves the time labels, in the feed's shared frame.
import { area, curveLinear, curveStepAfter, line } from 'd3-shape';
import { memo, useEffect, useId, useMemo, useRef } from 'react';
import { usePlotArea, useYAxisScale } from 'recharts';
import type { Sample } from '../electron/contract/contract.js';
import { ColumnPoints, columnExtremes } from './column-extremes.js';
import { formatTick } from './format.js';
import type { HistoryFeed } from './history-feed.js';
import { PATH_SCALE, PathWriter, scaledDash } from './path-writer.js';
import { timeTicks } from './time-axis.js';

export interface LiveSeriesLine {
  /** Stable hook for tests and styles: `series-<name>` on the path, matching the legend's swatch. */
  name: string;
  value: (sample: Sample) => number | null;
  shape?: 'line' | 'step' | 'area';
  /** Lines differ by dash as well as colour, so they can be told apart without colour. */
  dash?: string;
  width?: number;
}

export interface LiveSeriesProps {
  feed: HistoryFeed;
  lines: readonly LiveSeriesLine[];
  tickCount?: number;
  /** Told the highest value in the window after each frame, for charts whose Y maximum follows the data. */
  onHighest?: (highest: number) => void;
}

/** Enough labels for the densest axis `timeTicks` lays out (count + 1). */
const TICK_SLOTS = 8;
const TICK_LABEL_GAP = 14;

export const LiveSeries = memo(function LiveSeries({ feed, lines, tickCount = 6, onHighest }: LiveSeriesProps) {
  const plot = usePlotArea();
  const yScale = useYAxisScale();
  // React's ids carry characters (':', '«') that do not belong in a url(#...) reference.
  const clipId = `live-clip-${useId().replace(/[^\w-]/g, '')}`;
  const paths = useRef<(SVGPathElement | null)[]>([]);
  const tickGroup = useRef<SVGGElement | null>(null);
  const points = useMemo(() => lines.map(() => new ColumnPoints()), [lines]);

  useEffect(() => {
    if (!plot || !yScale || plot.width <= 0) return undefined;
    const bottom = plot.y + plot.height;
    const writer = new PathWriter();
    // d3-shape's types know only canvas and d3-path contexts; it calls nothing but moveTo, lineTo and closePath.
    const context = writer as unknown as CanvasRenderingContext2D;
    const generators = lines.map((spec, k) => {
      const store = points[k] as ColumnPoints;
      const x = (i: number) => store.xs[i] as number;
      const y = (i: number) => yScale(store.ys[i]) ?? 0;
      const defined = (i: number) => !Number.isNaN(store.ys[i]);
      const curve = spec.shape === 'step' ? curveStepAfter : curveLinear;
      const generator = spec.shape === 'area' ? area<number>().x(x).y0(bottom).y1(y) : line<number>().x(x).y(y);
      return generator.defined(defined).curve(curve).context(context);
    });
    let indices = new Uint32Array(0);
    const labels = tickGroup.current ? Array.from(tickGroup.current.children) : [];
    const shownTicks: string[] = [];

    const draw = () => {
      const { start, end } = feed.view.get();
      const span = end - start;
      if (!(span > 0)) return;
      const toX = (at: number) => plot.x + ((at - start) / span) * plot.width;
      const buffer = feed.shown;
      // One sample before the window, so the lines enter from the left edge rather than start inside the plot.
      const from = Math.max(0, buffer.firstIndexAtOrAfter(start) - 1);
      let highest = Number.NEGATIVE_INFINITY;
      lines.forEach((spec, k) => {
        const store = points[k] as ColumnPoints;
        highest = Math.max(highest, columnExtremes(buffer, from, buffer.size, toX, spec.value, store));
        if (indices.length < store.length) indices = Uint32Array.from({ length: store.xs.length }, (_, i) => i);
        (generators[k] as (data: Uint32Array) => void)(indices.subarray(0, store.length));
        paths.current[k]?.setAttribute('d', writer.take());
      });
      const ticks = timeTicks(start, end, tickCount);
      const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 0;
      labels.forEach((label, i) => {
        const at = ticks[i];
        const text = at === undefined ? '' : formatTick(at, step);
        if (at !== undefined) label.setAttribute('transform', `translate(${Math.round(toX(at))},${bottom})`);
        if (shownTicks[i] !== text) {
          shownTicks[i] = text;
          (label.lastChild as SVGTextElement).textContent = text;
          label.setAttribute('visibility', text === '' ? 'hidden' : 'visible');
        }
      });
      onHighest?.(highest);
    };
    return feed.frame.add(draw);
  }, [feed, lines, points, plot, yScale, tickCount, onHighest]);

  if (!plot) return null;
  return (
    <g className="live-series">
      <clipPath id={clipId}>
        <rect x={plot.x} y={plot.y} width={plot.width} height={plot.height} />
      </clipPath>
      <g clipPath={`url(#${clipId})`}>
        <g transform={`scale(${1 / PATH_SCALE})`}>
          {lines.map((spec, k) => (
            <path
              key={spec.name}
              ref={(element) => {
                paths.current[k] = element;
              }}
              className={`live-line series-${spec.name}${spec.shape === 'area' ? ' live-area' : ''}`}
              strokeDasharray={scaledDash(spec.dash)}
              strokeWidth={(spec.width ?? 1.5) * PATH_SCALE}
            />
          ))}
        </g>
      </g>
      <line className="live-time-axis" x1={plot.x} x2={plot.x + plot.width} y1={plot.y + plot.height} y2={plot.y + plot.height} />
      <g ref={tickGroup} className="live-time-ticks" aria-hidden="true">
        {Array.from({ length: TICK_SLOTS }, (_, i) => (
          <g key={i} visibility="hidden">
            <line y2={6} />
            <text y={6 + TICK_LABEL_GAP} textAnchor="middle" />
          </g>
        ))}
      </g>
    </g>
  );
});
