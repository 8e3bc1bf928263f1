// Replica count over time: what the controller wants (desired) against what serves traffic (ready), as steps.
import { memo, useCallback, useMemo, useState } from 'react';
import { CartesianGrid, LineChart, ResponsiveContainer, YAxis } from 'recharts';
import type { Sample } from '../electron/contract.js';
import { ChartCard, hiddenXAxis, PLOT_MARGIN } from './chart-card.js';
import { NO_VALUE } from './format.js';
import type { HistoryFeed } from './history-feed.js';
import { LiveSeries, type LiveSeriesLine } from './live-series.js';
import { LiveReadout, type ReadoutEntry } from './live-readout.js';
import { LiveValue } from './live-value.js';
import { axisTicks, steppedMax } from './y-step.js';

const REPLICA_LINES: LiveSeriesLine[] = [
  { name: 'desired', value: (sample: Sample) => sample.desired, shape: 'step', dash: '5 3' },
  { name: 'ready', value: (sample: Sample) => sample.ready, shape: 'step', width: 2 },
];
const readDesired = (latest: Sample | undefined) => (latest ? String(latest.desired) : NO_VALUE);
const readReady = (latest: Sample | undefined) => (latest ? String(latest.ready) : NO_VALUE);
const REPLICA_READOUT: ReadoutEntry[] = [
  { label: 'Desired', read: readDesired },
  { label: 'Ready', read: readReady },
];

export const ReplicaChart = memo(function ReplicaChart({ feed, maxReplicas }: { feed: HistoryFeed; maxReplicas: number }) {
  const [yMax, setYMax] = useState(maxReplicas);
  const onHighest = useCallback((highest: number) => setYMax((current) => steppedMax(current, highest, maxReplicas)), [maxReplicas]);
  const top = Math.max(yMax, maxReplicas);
  const yAxis = useMemo(() => ({ domain: [0, top], ticks: axisTicks(top) }), [top]);
  return (
    <ChartCard
      title="Replica count"
      className="replica-chart"
      legend={[
        { label: 'Desired', value: <LiveValue feed={feed} read={readDesired} />, swatch: 'series-desired', dashed: true },
        { label: 'Ready', value: <LiveValue feed={feed} read={readReady} />, swatch: 'series-ready' },
      ]}
    >
      <ResponsiveContainer>
        <LineChart margin={PLOT_MARGIN}>
          <CartesianGrid vertical={false} stroke="var(--grid)" />
          {hiddenXAxis()}
          <YAxis domain={yAxis.domain} ticks={yAxis.ticks} allowDataOverflow allowDecimals={false} width={44} stroke="var(--axis)" fontSize={11} />
          <LiveSeries feed={feed} lines={REPLICA_LINES} tickCount={4} onHighest={onHighest} />
          <LiveReadout feed={feed} entries={REPLICA_READOUT} />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
});
