// Replica count over time: what the controller wants (desired) against what serves traffic (ready), as steps.
import { memo, useMemo, useSyncExternalStore } from 'react';
import { LineChart, ResponsiveContainer } from 'recharts';
import type { Sample } from '../electron/contract/contract.js';
import { ChartCard, hiddenXAxis, PLOT_MARGIN, plotGrid, useSteppedMax, valueAxis } from './chart-card.js';
import type { ForecastFeed } from './forecast-feed.js';
import { ForecastError, ForecastLine, forecastReplicas } from './forecast-line.js';
import { NO_VALUE } from './format.js';
import type { HistoryFeed } from './history-feed.js';
import { LiveSeries, type LiveSeriesLine } from './live-series.js';
import { LiveReadout, type ReadoutEntry } from './live-readout.js';
import { LiveValue } from './live-value.js';
import { ScheduleShade } from './schedule-shade.js';
import { ValueStore } from './value-store.js';
import type { WhatIfFeed, WhatIfView } from './what-if-feed.js';
import { WhatIfGhost } from './what-if-ghost.js';
import { WhatIfSummaryLine } from './what-if-summary.js';
import { axisTicks } from './y-step.js';

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

const noGhost = new ValueStore<WhatIfView | null>(null);

/** The replay's peak, or -1 without a ghost: the chart re-renders only when it changes, not on every answer. */
function useGhostPeak(shown: ValueStore<WhatIfView | null>): number {
  const peak = () => shown.get()?.result.summary.peakReplicas ?? -1;
  return useSyncExternalStore(shown.subscribe, peak, peak);
}

export interface ReplicaChartProps {
  feed: HistoryFeed;
  maxReplicas: number;
  /** The what-if replay drawn as a ghost line while a slider moves. */
  whatIf?: WhatIfFeed;
  /** The count the rules would want for the forecast, drawn ahead of now. */
  forecast?: ForecastFeed;
  /** Schedule windows to shade (seen open, and the next), as JSON so an unchanged list re-renders nothing. */
  scheduleWindows?: string;
}

export const ReplicaChart = memo(function ReplicaChart({ feed, maxReplicas, whatIf, forecast, scheduleWindows = '[]' }: ReplicaChartProps) {
  const [yMax, onHighest] = useSteppedMax(maxReplicas);
  const ghostPeak = useGhostPeak(whatIf?.shown ?? noGhost);
  const top = Math.max(yMax, maxReplicas, ghostPeak);
  const yAxis = useMemo(() => ({ domain: [0, top], ticks: axisTicks(top) }), [top]);
  return (
    <ChartCard
      title="Replica count"
      className="replica-chart"
      legend={[
        { label: 'Desired', value: <LiveValue feed={feed} read={readDesired} />, swatch: 'series-desired', dashed: true },
        { label: 'Ready', value: <LiveValue feed={feed} read={readReady} />, swatch: 'series-ready' },
        ...(forecast ? [{ label: 'Forecast', value: <ForecastError forecast={forecast} />, swatch: 'series-forecast', dashed: true }] : []),
        // The shaded spans say what they are in words too, not by colour alone.
        ...(scheduleWindows === '[]' ? [] : [{ label: 'Schedule window', value: '', swatch: 'series-schedule' }]),
      ]}
      overlay={whatIf && <WhatIfSummaryLine whatIf={whatIf} />}
    >
      <ResponsiveContainer>
        <LineChart margin={PLOT_MARGIN}>
          {plotGrid()}
          {hiddenXAxis()}
          {valueAxis(yAxis)}
          <ScheduleShade feed={feed} windowsJson={scheduleWindows} />
          <LiveSeries feed={feed} lines={REPLICA_LINES} tickCount={4} onHighest={onHighest} />
          {whatIf && <WhatIfGhost feed={feed} whatIf={whatIf} />}
          {forecast && <ForecastLine feed={feed} forecast={forecast} series={forecastReplicas} step />}
          <LiveReadout feed={feed} entries={REPLICA_READOUT} />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
});
