// The ghost line: the replica count a what-if replay gives, drawn over the replica chart like its live series.
import { curveStepAfter, line } from 'd3-shape';
import { memo, useEffect, useId, useRef } from 'react';
import { usePlotArea, useYAxisScale } from 'recharts';
import type { WhatIfPoint } from '../electron/contract/contract.js';
import type { HistoryFeed } from './history-feed.js';
import { PATH_SCALE, PathWriter, scaledDash } from './path-writer.js';
import { useStoreValue } from './value-store.js';
import type { WhatIfFeed } from './what-if-feed.js';

/** Dotted, unlike the chart's solid and dashed lines, so it is told apart without colour. */
export const GHOST_DASH = '1.5 3';

/**
 * Redrawn in the live frame only when the replay or the window moved, so between answers a live update costs one
 * comparison. The replay's times are placed on the live window, so the ghost lines up with the real lines under it.
 */
export const WhatIfGhost = memo(function WhatIfGhost({ feed, whatIf }: { feed: HistoryFeed; whatIf: WhatIfFeed }) {
  const plot = usePlotArea();
  const yScale = useYAxisScale();
  const shown = useStoreValue(whatIf.shown);
  const path = useRef<SVGPathElement | null>(null);
  const clipId = `whatif-clip-${useId().replace(/[^\w-]/g, '')}`;

  useEffect(() => {
    if (!plot || !yScale || !shown || plot.width <= 0) return undefined;
    const writer = new PathWriter();
    // d3-shape calls nothing but moveTo, lineTo and closePath on its context.
    const context = writer as unknown as CanvasRenderingContext2D;
    const series = shown.result.series;
    let drawnFor: { start: number; end: number } | null = null;
    const draw = () => {
      const view = feed.view.get();
      if (drawnFor && drawnFor.start === view.start && drawnFor.end === view.end) return;
      drawnFor = { start: view.start, end: view.end };
      const span = view.end - view.start;
      if (!(span > 0)) return;
      const toX = (point: WhatIfPoint) => plot.x + ((point.at - view.start) / span) * plot.width;
      line<WhatIfPoint>()
        .x(toX)
        .y((point) => yScale(point.desired) ?? 0)
        .curve(curveStepAfter)
        .context(context)(series);
      path.current?.setAttribute('d', writer.take());
    };
    feed.frame.request();
    return feed.frame.add(draw);
  }, [feed, plot, yScale, shown]);

  if (!plot || !shown) return null;
  return (
    <g className="whatif-ghost-layer">
      <clipPath id={clipId}>
        <rect x={plot.x} y={plot.y} width={plot.width} height={plot.height} />
      </clipPath>
      <g clipPath={`url(#${clipId})`}>
        <g transform={`scale(${1 / PATH_SCALE})`}>
          <path
            ref={path}
            data-testid="whatif-ghost"
            className="whatif-ghost"
            strokeDasharray={scaledDash(GHOST_DASH)}
            strokeWidth={2 * PATH_SCALE}
          />
        </g>
      </g>
    </g>
  );
});
