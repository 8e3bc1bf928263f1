// Replica count over time: what the controller wants (desired) against what serves traffic (ready), as steps.
import { memo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, YAxis } from 'recharts';
import { ChartCard, tooltipStyles } from './chart-card.js';
import { formatClock, NO_VALUE } from './format.js';
import type { HistoryFeed } from './history-feed.js';
import { timeXAxis } from './time-x-axis.js';
import { useStoreValue } from './value-store.js';

export const ReplicaChart = memo(function ReplicaChart({ feed, maxReplicas }: { feed: HistoryFeed; maxReplicas: number }) {
  const view = useStoreValue(feed.view);
  const latest = view.samples.at(-1);
  return (
    <ChartCard
      title="Replica count"
      className="replica-chart"
      legend={[
        { label: 'Desired', value: latest ? String(latest.desired) : NO_VALUE, swatch: 'series-desired', dashed: true },
        { label: 'Ready', value: latest ? String(latest.ready) : NO_VALUE, swatch: 'series-ready' },
      ]}
    >
      <ResponsiveContainer>
        <LineChart data={view.samples} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke="var(--grid)" />
          {timeXAxis(view, 4)}
          <YAxis domain={[0, (dataMax: number) => Math.max(maxReplicas, dataMax)]} allowDecimals={false} width={44} stroke="var(--axis)" fontSize={11} />
          <Tooltip isAnimationActive={false} labelFormatter={(at) => formatClock(Number(at))} {...tooltipStyles} />
          <Line dataKey="desired" name="Desired" type="stepAfter" stroke="var(--series-desired)" strokeDasharray="5 3" strokeWidth={1.5} dot={false} isAnimationActive={false} />
          <Line dataKey="ready" name="Ready" type="stepAfter" stroke="var(--series-ready)" strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
});
