// Request rate through the HAProxy frontend, total and per ready replica; carries the thresholds when they are in req/s.
import { memo } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, YAxis } from 'recharts';
import { ChartCard, tooltipStyles } from './chart-card.js';
import { thresholdLines, useThresholds, type ThresholdLinesProps } from './cpu-chart.js';
import { formatClock, formatRate } from './format.js';
import { timeXAxis } from './time-x-axis.js';
import { useStoreValue } from './value-store.js';

const rateTooltip = (value: unknown) => (typeof value === 'number' ? `${value.toFixed(1)} req/s` : String(value));

export const RequestRateChart = memo(function RequestRateChart({ feed, preview, metric, scaleUpThreshold, scaleDownThreshold }: ThresholdLinesProps) {
  const view = useStoreValue(feed.view);
  const thresholds = useThresholds(preview, scaleUpThreshold, scaleDownThreshold);
  const latest = view.samples.at(-1);
  const onRate = metric === 'rps-per-replica';
  return (
    <ChartCard
      title="Requests"
      className="request-rate-chart"
      legend={[
        { label: 'Frontend', value: formatRate(latest?.rps), swatch: 'series-rps' },
        { label: onRate ? 'Per replica (scaling metric)' : 'Per replica', value: formatRate(latest?.rpsPerReplica), swatch: 'series-rps-replica' },
      ]}
    >
      <ResponsiveContainer>
        <ComposedChart data={view.samples} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke="var(--grid)" />
          {timeXAxis(view, 4)}
          <YAxis domain={[0, 'auto']} allowDecimals={false} width={44} stroke="var(--axis)" fontSize={11} />
          <Tooltip isAnimationActive={false} labelFormatter={(at) => formatClock(Number(at))} formatter={rateTooltip} {...tooltipStyles} />
          {onRate && thresholdLines(thresholds.up, thresholds.down, '')}
          <Area dataKey="rps" name="Frontend" stroke="var(--series-rps)" fill="var(--series-rps)" fillOpacity={0.15} strokeWidth={1.5} dot={false} isAnimationActive={false} type="linear" />
          <Line dataKey="rpsPerReplica" name="Per replica" stroke="var(--series-rps-replica)" strokeWidth={onRate ? 2 : 1.5} dot={false} isAnimationActive={false} type="linear" />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
});
