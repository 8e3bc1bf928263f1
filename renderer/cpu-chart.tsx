// Live CPU chart: host CPU and the replicas' mean, with the scale-up and scale-down thresholds drawn across it.
import { memo, useMemo } from 'react';
import { LineChart, ReferenceLine, ResponsiveContainer } from 'recharts';
import type { Sample, ScalingRule, Settings } from '../electron/contract/contract.js';
import { ChartCard, hiddenXAxis, PLOT_MARGIN, plotGrid, valueAxis } from './chart-card.js';
import type { ForecastFeed } from './forecast-feed.js';
import { ForecastError, ForecastLine, forecastReplicaCpu } from './forecast-line.js';
import { formatPercent } from './format.js';
import type { HistoryFeed } from './history-feed.js';
import { LiveSeries, type LiveSeriesLine } from './live-series.js';
import { LiveReadout, type ReadoutEntry } from './live-readout.js';
import { LiveValue } from './live-value.js';
import type { ThresholdPreview } from './threshold-preview.js';
import { TimeWindowPicker } from './time-window-picker.js';
import { useStoreValue, type ValueStore } from './value-store.js';

export interface ThresholdLinesProps {
  feed: HistoryFeed;
  preview: ValueStore<ThresholdPreview>;
  metric: ScalingRule['metric'];
  scaleUpThreshold: number;
  scaleDownThreshold: number;
  /**
   * The rules after the first, as JSON: a string, so the chart's props stay equal between snapshots and recharts
   * re-renders only when a rule really changes.
   */
  extraRules: string;
  /** The forecast drawn ahead of now, when one is shown. */
  forecast?: ForecastFeed;
}

/** The thresholds to draw: the sliders' values while they are dragged, else the control plane's. */
export function useThresholds(preview: ValueStore<ThresholdPreview>, up: number, down: number): { up: number; down: number } {
  const draft = useStoreValue(preview);
  return { up: draft.scaleUpThreshold ?? up, down: draft.scaleDownThreshold ?? down };
}

interface LineSpec {
  key: string;
  y: number;
  direction: 'up' | 'down';
  label: string;
  /** A further rule's lines: a finer dash, and the rule's number in the class. */
  rule?: number;
}

/** One threshold line; the class names are stable hooks for end-to-end tests reading the SVG. */
function thresholdLine({ key, y, direction, label, rule }: LineSpec) {
  const color = `var(--threshold-${direction})`;
  // The up and down labels sit at opposite ends (and a rule's at the other two corners), so none overlap.
  const position = direction === 'up' ? (rule ? 'insideTopLeft' : 'insideTopRight') : rule ? 'insideBottomRight' : 'insideBottomLeft';
  return (
    <ReferenceLine
      key={key}
      y={y}
      className={rule ? `threshold-${direction} rule-${rule}` : `threshold-${direction}`}
      stroke={color}
      strokeDasharray={rule ? '2 3' : '6 4'}
      strokeWidth={1.5}
      ifOverflow="extendDomain"
      label={{ value: label, position, fill: color, fontSize: 11 }}
    />
  );
}

/**
 * The two threshold lines, made anew only when a threshold moves (recharts re-registers a reference line whose
 * props change).
 */
export function useThresholdLines(show: boolean, up: number, down: number, unit: string) {
  return useMemo(
    () =>
      show
        ? [
            thresholdLine({ key: 'up', y: up, direction: 'up', label: `up ${up}${unit}` }),
            thresholdLine({ key: 'down', y: down, direction: 'down', label: `down ${down}${unit}` }),
          ]
        : null,
    [show, up, down, unit],
  );
}

type Rule = Settings['rules'][number];

/** The metrics each chart draws thresholds for: its own units only (a latency or memory rule has no line here). */
export const CPU_METRICS: readonly Rule['metric'][] = ['host-cpu', 'replica-cpu'];
export const RATE_METRICS: readonly Rule['metric'][] = ['rps-per-replica'];

/**
 * The threshold lines of rules 2-4 whose metric this chart draws, labelled with their rule number; made anew only when
 * a rule changes. Rule 1 is drawn by useThresholdLines, with the sliders' live values.
 */
export function useRuleLines(extraRules: string, metrics: readonly Rule['metric'][], unit: string) {
  return useMemo(() => {
    const rules = JSON.parse(extraRules) as Rule[];
    return rules.flatMap((rule, index) => {
      if (!metrics.includes(rule.metric)) return [];
      const n = index + 2;
      return [
        thresholdLine({ key: `rule-${n}-up`, y: rule.scaleUpThreshold, direction: 'up', label: `rule ${n} up ${rule.scaleUpThreshold}${unit}`, rule: n }),
        thresholdLine({ key: `rule-${n}-down`, y: rule.scaleDownThreshold, direction: 'down', label: `rule ${n} down ${rule.scaleDownThreshold}${unit}`, rule: n }),
      ];
    });
  }, [extraRules, metrics, unit]);
}

const CPU_DOMAIN = [0, 100];
const CPU_TICKS = [0, 25, 50, 75, 100];
const hostValue = (sample: Sample) => sample.hostCpu;
const replicaValue = (sample: Sample) => sample.replicaCpu;
const readHost = (latest: Sample | undefined) => formatPercent(latest?.hostCpu);
const readReplica = (latest: Sample | undefined) => formatPercent(latest?.replicaCpu);
const CPU_READOUT: ReadoutEntry[] = [
  { label: 'Host', read: readHost },
  { label: 'Replica mean', read: readReplica },
];

/** Host solid, replica mean dashed; the scaling metric's line is the thicker one. */
function cpuLines(metric: ScalingRule['metric']): LiveSeriesLine[] {
  return [
    { name: 'host', value: hostValue, width: metric === 'host-cpu' ? 2 : 1.5 },
    { name: 'replica', value: replicaValue, dash: '6 3', width: metric === 'replica-cpu' ? 2 : 1.5 },
  ];
}

export const CpuChart = memo(function CpuChart({ feed, preview, metric, scaleUpThreshold, scaleDownThreshold, extraRules, forecast }: ThresholdLinesProps) {
  const withForecast = forecast && metric === 'replica-cpu';
  const thresholds = useThresholds(preview, scaleUpThreshold, scaleDownThreshold);
  const lines = useMemo(() => cpuLines(metric), [metric]);
  const thresholdLines = useThresholdLines(CPU_METRICS.includes(metric), thresholds.up, thresholds.down, '%');
  const ruleLines = useRuleLines(extraRules, CPU_METRICS, '%');
  return (
    <ChartCard
      title="CPU"
      className="cpu-chart"
      actions={<TimeWindowPicker feed={feed} />}
      legend={[
        { label: metric === 'host-cpu' ? 'Host (scaling metric)' : 'Host', value: <LiveValue feed={feed} read={readHost} />, swatch: 'series-host' },
        {
          label: metric === 'replica-cpu' ? 'Replica mean (scaling metric)' : 'Replica mean',
          value: <LiveValue feed={feed} read={readReplica} />,
          swatch: 'series-replica',
          dashed: true,
        },
        ...(withForecast ? [{ label: 'Forecast', value: <ForecastError forecast={forecast} />, swatch: 'series-forecast', dashed: true }] : []),
      ]}
    >
      <ResponsiveContainer>
        <LineChart margin={PLOT_MARGIN}>
          {plotGrid()}
          {hiddenXAxis()}
          {valueAxis({ domain: CPU_DOMAIN, ticks: CPU_TICKS, unit: '%' })}
          {thresholdLines}
          {ruleLines}
          <LiveSeries feed={feed} lines={lines} />
          {withForecast && <ForecastLine feed={feed} forecast={forecast} series={forecastReplicaCpu} />}
          <LiveReadout feed={feed} entries={CPU_READOUT} />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
});
