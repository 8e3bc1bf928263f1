// The time axis every live chart shares; a function returning the element, since recharts reads its direct children.
import { XAxis } from 'recharts';
import { formatClock } from './format.js';
import type { HistoryView } from './history-feed.js';
import { timeTicks } from './time-axis.js';

export function timeXAxis(view: Pick<HistoryView, 'start' | 'end'>, tickCount?: number) {
  return (
    <XAxis
      dataKey="at"
      type="number"
      domain={[view.start, view.end]}
      ticks={timeTicks(view.start, view.end, tickCount)}
      tickFormatter={formatClock}
      allowDataOverflow
      stroke="var(--axis)"
      fontSize={11}
    />
  );
}
