// The values under the pointer in a live chart (what recharts' tooltip showed): the nearest sample's time and values.
import { memo, useState, type PointerEvent } from 'react';
import { usePlotArea } from 'recharts';
import type { Sample } from '../electron/contract/contract.js';
import { formatClock } from './format.js';
import type { HistoryFeed } from './history-feed.js';

export interface ReadoutEntry {
  label: string;
  read: (sample: Sample | undefined) => string;
}

const LINE_HEIGHT = 15;
const BOX_WIDTH = 150;

/** The held sample nearest to `at`, if any. */
function nearest(feed: HistoryFeed, at: number): Sample | undefined {
  const buffer = feed.shown;
  const after = buffer.firstIndexAtOrAfter(at);
  const candidates = [after - 1, after].filter((i) => i >= 0 && i < buffer.size).map((i) => buffer.at(i));
  return candidates.sort((a, b) => Math.abs(a.at - at) - Math.abs(b.at - at))[0];
}

/** Renders only while a pointer moves over the plot, so it costs nothing between live updates. */
export const LiveReadout = memo(function LiveReadout({ feed, entries }: { feed: HistoryFeed; entries: readonly ReadoutEntry[] }) {
  const plot = usePlotArea();
  const [hover, setHover] = useState<{ x: number; sample: Sample } | null>(null);
  if (!plot) return null;

  const onMove = (event: PointerEvent<SVGRectElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const { start, end } = feed.view.get();
    const sample = box.width > 0 ? nearest(feed, start + ((event.clientX - box.left) / box.width) * (end - start)) : undefined;
    if (!sample || sample.at < start) {
      setHover(null);
      return;
    }
    setHover({ x: plot.x + ((sample.at - start) / (end - start)) * plot.width, sample });
  };

  const lines = hover ? [formatClock(hover.sample.at), ...entries.map((entry) => `${entry.label}: ${entry.read(hover.sample)}`)] : [];
  // The box sits right of the cursor, or left of it near the right edge.
  const boxX = hover && hover.x + 8 + BOX_WIDTH > plot.x + plot.width ? hover.x - 8 - BOX_WIDTH : (hover?.x ?? 0) + 8;
  return (
    <g className="live-readout">
      <rect x={plot.x} y={plot.y} width={plot.width} height={plot.height} fill="transparent" onPointerMove={onMove} onPointerLeave={() => setHover(null)} />
      {hover && (
        <g pointerEvents="none">
          <line className="live-readout-cursor" x1={hover.x} x2={hover.x} y1={plot.y} y2={plot.y + plot.height} />
          <rect className="live-readout-box" x={boxX} y={plot.y + 4} width={BOX_WIDTH} height={lines.length * LINE_HEIGHT + 8} rx={6} />
          {lines.map((text, i) => (
            <text key={i} className={i === 0 ? 'live-readout-time' : undefined} x={boxX + 8} y={plot.y + 4 + (i + 1) * LINE_HEIGHT}>
              {text}
            </text>
          ))}
        </g>
      )}
    </g>
  );
});
