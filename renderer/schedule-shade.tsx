// Schedule windows shaded behind the replica lines: the windows seen open and the next one, placed on the live time
// window in the feed's frame. The spans come with the snapshot, so no frame ever reads cron.
import { memo, useEffect, useId, useMemo, useRef } from 'react';
import { usePlotArea } from 'recharts';
import type { ScheduleWindowView } from '../electron/contract/contract.js';
import type { HistoryFeed } from './history-feed.js';

export interface ScheduleShadeProps {
  feed: HistoryFeed;
  /** The windows as JSON, so an unchanged list is an unchanged prop and nothing re-renders. */
  windowsJson: string;
}

export const ScheduleShade = memo(function ScheduleShade({ feed, windowsJson }: ScheduleShadeProps) {
  const plot = usePlotArea();
  const windows = useMemo(() => JSON.parse(windowsJson) as ScheduleWindowView[], [windowsJson]);
  const rects = useRef<(SVGRectElement | null)[]>([]);
  const clipId = `schedule-clip-${useId().replace(/[^\w-]/g, '')}`;

  useEffect(() => {
    if (!plot || plot.width <= 0 || windows.length === 0) return undefined;
    let drawnFor: { start: number; end: number } | null = null;
    const draw = () => {
      const { start, end } = feed.view.get();
      if (drawnFor && drawnFor.start === start && drawnFor.end === end) return;
      drawnFor = { start, end };
      const span = end - start;
      if (!(span > 0)) return;
      const toX = (at: number) => plot.x + ((Math.min(Math.max(at, start), end) - start) / span) * plot.width;
      windows.forEach((window, i) => {
        const rect = rects.current[i];
        if (!rect) return;
        const left = toX(window.start);
        rect.setAttribute('x', String(left));
        rect.setAttribute('width', String(Math.max(0, toX(window.end) - left)));
      });
    };
    feed.frame.request();
    return feed.frame.add(draw);
  }, [feed, plot, windows]);

  if (!plot || windows.length === 0) return null;
  return (
    <g className="schedule-shades" aria-hidden="true">
      <clipPath id={clipId}>
        <rect x={plot.x} y={plot.y} width={plot.width} height={plot.height} />
      </clipPath>
      <g clipPath={`url(#${clipId})`}>
        {windows.map((window, i) => (
          <rect
            key={`${window.name}@${window.start}`}
            ref={(element) => {
              rects.current[i] = element;
            }}
            className="schedule-shade"
            data-testid="schedule-shade"
            data-window={window.name}
            x={plot.x}
            y={plot.y}
            width={0}
            height={plot.height}
          />
        ))}
      </g>
    </g>
  );
});
