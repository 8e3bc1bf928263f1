// Request rate through the HAProxy frontend, total and per ready replica; carries the thresholds when they are in req/s.
import { memo, useMemo } from 'react';
import { ComposedChart, ResponsiveContainer } from 'recharts';
import type { Sample } from '../electron/contract/contract.js';
import { ChartCard, hiddenXAxis, PLOT_MARGIN, plotGrid, useSteppedMax, valueAxis } from './chart-card.js';
import { RATE_METRICS, useRuleLines, useThresholdLines, useThresholds, type ThresholdLinesProps } from './cpu-chart.js';
import { ForecastError, ForecastLine, forecastRate } from './forecast-line.js';
import { formatRate } from './format.js';
import { LiveSeries, type LiveSeriesLine } from './live-series.js';
import { LiveReadout, type ReadoutEntry } from './live-readout.js';
import { LiveValue } from './live-value.js';
import { axisTicks } from './y-step.js';

/** Below this the axis does not shrink: an idle service shows 0-10 req/s, not a magnified trickle. */
const MIN_RATE_AXIS = 10;
const rpsValue = (sample: Sample) => sample.rps;
const perReplicaValue = (sample: Sample) => sample.rpsPerReplica;
const readRps = (latest: Sample | undefined) => formatRate(latest?.rps);
const readPerReplica = (latest: Sample | undefined) => formatRate(latest?.rpsPerReplica);
const RATE_READOUT: ReadoutEntry[] = [
  { label: 'Frontend', read: readRps },
  { label: 'Per replica', read: readPerReplica },
];

export const RequestRateChart = memo(function RequestRateChart({ feed, preview, metric, scaleUpThreshold, scaleDownThreshold, extraRules, forecast }: ThresholdLinesProps) {
  const withForecast = forecast && metric !== 'replica-cpu';
  const thresholds = useThresholds(preview, scaleUpThreshold, scaleDownThreshold);
  const onRate = RATE_METRICS.includes(metric);
  const thresholdLines = useThresholdLines(onRate, thresholds.up, thresholds.down, '');
  const ruleLines = useRuleLines(extraRules, RATE_METRICS, '');
  const lines = useMemo<LiveSeriesLine[]>(
    () => [
      { name: 'rps', value: rpsValue, shape: 'area' },
      { name: 'rps-replica', value: perReplicaValue, dash: '6 3', width: onRate ? 2 : 1.5 },
    ],
    [onRate],
  );
  const [yMax, onHighest] = useSteppedMax(MIN_RATE_AXIS);
  const yAxis = useMemo(() => ({ domain: [0, yMax], ticks: axisTicks(yMax) }), [yMax]);
  return (
    <ChartCard
      title="Requests"
      className="request-rate-chart"
      legend={[
        { label: 'Frontend', value: <LiveValue feed={feed} read={readRps} />, swatch: 'series-rps' },
        { label: onRate ? 'Per replica (scaling metric)' : 'Per replica', value: <LiveValue feed={feed} read={readPerReplica} />, swatch: 'series-rps-replica', dashed: true },
        ...(withForecast ? [{ label: 'Forecast', value: <ForecastError forecast={forecast} />, swatch: 'series-forecast', dashed: true }] : []),
      ]}
    >
      <ResponsiveContainer>
        <ComposedChart margin={PLOT_MARGIN}>
          {plotGrid()}
          {hiddenXAxis()}
          {valueAxis(yAxis)}
          {thresholdLines}
          {ruleLines}
          <LiveSeries feed={feed} lines={lines} tickCount={4} onHighest={onHighest} />
          {withForecast && <ForecastLine feed={feed} forecast={forecast} series={forecastRate} />}
          <LiveReadout feed={feed} entries={RATE_READOUT} />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
});
