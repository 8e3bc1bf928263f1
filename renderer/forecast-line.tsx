// The forecast drawn ahead of now as a dashed line over a chart, and its measured error for the chart's legend.
import { curveStepAfter, line } from 'd3-shape';
import { memo, useEffect, useId, useRef } from 'react';
import { usePlotArea, useYAxisScale } from 'recharts';
import type { ForecastView } from '../electron/contract/contract.js';
import type { ForecastFeed } from './forecast-feed.js';
import type { HistoryFeed } from './history-feed.js';
import { PATH_SCALE, PathWriter, scaledDash } from './path-writer.js';
import { useStoreValue } from './value-store.js';

export const FORECAST_DASH = '8 4';

/** What a chart draws of a forecast: a point's time and value, or null where it has none. */
export type ForecastSeries = (view: ForecastView) => { at: number; value: number }[];

/** Request rate: the forecast itself, when it is of the request rate. */
export const forecastRate: ForecastSeries = (view) => (view.metric === 'replica-cpu' ? [] : view.points.map(({ at, value }) => ({ at, value })));
/** Replica CPU per replica: the forecast total over the count the rules would want for it. */
export const forecastReplicaCpu: ForecastSeries = (view) =>
  view.metric !== 'replica-cpu' ? [] : view.points.map(({ at, value }, i) => ({ at, value: value / Math.max(1, view.replicas[i]?.desired ?? 1) }));
export const forecastReplicas: ForecastSeries = (view) => view.replicas.map(({ at, desired }) => ({ at, value: desired }));

/** Redrawn in the live frame only when the forecast or the window moved (the forecast changes once a minute). */
export const ForecastLine = memo(function ForecastLine({ feed, forecast, series, step }: { feed: HistoryFeed; forecast: ForecastFeed; series: ForecastSeries; step?: boolean }) {
  const plot = usePlotArea();
  const yScale = useYAxisScale();
  const shown = useStoreValue(forecast.shown);
  const path = useRef<SVGPathElement | null>(null);
  const clipId = `forecast-clip-${useId().replace(/[^\w-]/g, '')}`;

  useEffect(() => {
    if (!plot || !yScale || !shown || plot.width <= 0) return undefined;
    const writer = new PathWriter();
    // d3-shape calls nothing but moveTo, lineTo and closePath on its context.
    const context = writer as unknown as CanvasRenderingContext2D;
    const points = series(shown);
    let drawnFor: { start: number; end: number } | null = null;
    const draw = () => {
      const view = feed.view.get();
      if (drawnFor && drawnFor.start === view.start && drawnFor.end === view.end) return;
      drawnFor = { start: view.start, end: view.end };
      const span = view.end - view.start;
      if (!(span > 0)) return;
      const shape = line<{ at: number; value: number }>()
        .x((point) => plot.x + ((point.at - view.start) / span) * plot.width)
        .y((point) => yScale(point.value) ?? 0);
      (step ? shape.curve(curveStepAfter) : shape).context(context)(points);
      path.current?.setAttribute('d', writer.take());
    };
    feed.frame.request();
    return feed.frame.add(draw);
  }, [feed, plot, yScale, shown, series, step]);

  if (!plot || !shown) return null;
  return (
    <g className="forecast-layer">
      <clipPath id={clipId}>
        <rect x={plot.x} y={plot.y} width={plot.width} height={plot.height} />
      </clipPath>
      <g clipPath={`url(#${clipId})`}>
        <g transform={`scale(${1 / PATH_SCALE})`}>
          <path ref={path} data-testid="forecast-line" className="forecast-line" strokeDasharray={scaledDash(FORECAST_DASH)} strokeWidth={1.5 * PATH_SCALE} />
        </g>
      </g>
    </g>
  );
});

const percent = (share: number | null) => (share === null ? '–' : `${Math.round(share * 100)} %`);

/** "MAPE 7 %, 3 % of peaks under": how wrong the forecasts made so far turned out, beside the forecast's swatch. */
export function ForecastError({ forecast }: { forecast: ForecastFeed }) {
  const shown = useStoreValue(forecast.shown);
  const absent = useStoreValue(forecast.absent);
  if (!shown) return <span title={absent ?? undefined}>none yet</span>;
  const { mape, underPeakShare } = shown.error;
  return (
    <span title={`from ${shown.basedOnHours} h of history; MAPE over ${shown.error.compared} forecast minutes; peaks under-forecast by more than 10 %`}>
      MAPE {percent(mape)}, {percent(underPeakShare)} of peaks under
    </span>
  );
}
