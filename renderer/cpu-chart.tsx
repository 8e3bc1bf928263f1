// Live CPU chart: host CPU and the replicas' mean, with the scale-up and scale-down thresholds drawn across it.
import { memo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, YAxis } from 'recharts';
import type { Settings } from '../electron/contract.js';
import { ChartCard, tooltipStyles } from './chart-card.js';
import { formatClock, formatPercent } from './format.js';
import type { HistoryFeed } from './history-feed.js';
import type { ThresholdPreview } from './threshold-preview.js';
import { timeXAxis } from './time-x-axis.js';
import { TimeWindowPicker } from './time-window-picker.js';
import { useStoreValue, type ValueStore } from './value-store.js';

export interface ThresholdLinesProps {
  feed: HistoryFeed;
  preview: ValueStore<ThresholdPreview>;
  metric: Settings['metric'];
  scaleUpThreshold: number;
  scaleDownThreshold: number;
}

/** The thresholds to draw: the sliders' values while they are dragged, else the control plane's. */
export function useThresholds(preview: ValueStore<ThresholdPreview>, up: number, down: number): { up: number; down: number } {
  const draft = useStoreValue(preview);
  return { up: draft.scaleUpThreshold ?? up, down: draft.scaleDownThreshold ?? down };
}

/**
 * The two threshold lines; the class names are stable hooks for end-to-end tests reading the SVG.
 * Their labels sit at opposite ends, so they cannot overlap when the thresholds are close together.
 */
export function thresholdLines(up: number, down: number, unit: string) {
  return [
    <ReferenceLine
      key="up"
      y={up}
      className="threshold-up"
      stroke="var(--threshold-up)"
      strokeDasharray="6 4"
      strokeWidth={1.5}
      ifOverflow="extendDomain"
      label={{ value: `up ${up}${unit}`, position: 'insideTopRight', fill: 'var(--threshold-up)', fontSize: 11 }}
    />,
    <ReferenceLine
      key="down"
      y={down}
      className="threshold-down"
      stroke="var(--threshold-down)"
      strokeDasharray="6 4"
      strokeWidth={1.5}
      ifOverflow="extendDomain"
      label={{ value: `down ${down}${unit}`, position: 'insideBottomLeft', fill: 'var(--threshold-down)', fontSize: 11 }}
    />,
  ];
}

const percentTooltip = (value: unknown) => (typeof value === 'number' ? `${value.toFixed(1)}%` : String(value));

export const CpuChart = memo(function CpuChart({ feed, preview, metric, scaleUpThreshold, scaleDownThreshold }: ThresholdLinesProps) {
  const view = useStoreValue(feed.view);
  const thresholds = useThresholds(preview, scaleUpThreshold, scaleDownThreshold);
  const latest = view.samples.at(-1);
  const onCpu = metric !== 'rps-per-replica';
  return (
    <ChartCard
      title="CPU"
      className="cpu-chart"
      actions={<TimeWindowPicker feed={feed} />}
      legend={[
        { label: metric === 'host-cpu' ? 'Host (scaling metric)' : 'Host', value: formatPercent(latest?.hostCpu), swatch: 'series-host' },
        { label: metric === 'replica-cpu' ? 'Replica mean (scaling metric)' : 'Replica mean', value: formatPercent(latest?.replicaCpu), swatch: 'series-replica' },
      ]}
    >
      <ResponsiveContainer>
        <LineChart data={view.samples} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke="var(--grid)" />
          {timeXAxis(view)}
          <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} unit="%" width={44} stroke="var(--axis)" fontSize={11} />
          <Tooltip isAnimationActive={false} labelFormatter={(at) => formatClock(Number(at))} formatter={percentTooltip} {...tooltipStyles} />
          {onCpu && thresholdLines(thresholds.up, thresholds.down, '%')}
          <Line dataKey="hostCpu" name="Host" stroke="var(--series-host)" strokeWidth={metric === 'host-cpu' ? 2 : 1.5} dot={false} isAnimationActive={false} type="linear" />
          <Line dataKey="replicaCpu" name="Replica mean" stroke="var(--series-replica)" strokeWidth={metric === 'replica-cpu' ? 2 : 1.5} dot={false} isAnimationActive={false} type="linear" />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
});
