// The forecast on the dashboard: read once a minute (never per frame), drawn as a dashed line ahead of now on the
// replica and request-rate charts with its error in the legend; nothing drawn, and the reason kept, before there is one.
import { act, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ForecastView } from '../../../electron/contract/contract.js';
import { applySettingsPatch, defaultSettings } from '../../../electron/contract/settings-schema.js';
import { ForecastFeed, aheadFor } from '../../../renderer/forecast-feed.js';
import { HistoryFeed } from '../../../renderer/history-feed.js';
import { LiveFrame } from '../../../renderer/live-frame.js';
import { ReplicaChart } from '../../../renderer/replica-chart.js';
import { RequestRateChart } from '../../../renderer/request-rate-chart.js';
import { createThresholdPreview } from '../../../renderer/threshold-preview.js';
import { FakeBridge, makeSample, T0 } from './fake-bridge.js';
// Sizes the charts (a ResizeObserver for jsdom) and cleans up after each test.
import './setup.js';

const MINUTE = 60_000;
const forecast: ForecastView = {
  metric: 'rps-per-replica',
  points: Array.from({ length: 120 }, (_, i) => ({ at: T0 + i * MINUTE, value: i < 5 ? 30 : 180 })),
  replicas: Array.from({ length: 120 }, (_, i) => ({ at: T0 + i * MINUTE, desired: i < 5 ? 1 : 3 })),
  basedOnHours: 168,
  madeAt: T0,
  error: { mape: 0.071, underPeakShare: 0.03, compared: 5000 },
};

function charts(bridge: FakeBridge) {
  const queued: (() => void)[] = [];
  const feed = new HistoryFeed(() => T0, new LiveFrame((callback) => queued.push(callback)));
  feed.load(Array.from({ length: 300 }, (_, i) => makeSample(T0 - 300_000 + (i + 1) * 1000, { desired: 1, ready: 1, rps: 30 })));
  const forecastFeed = new ForecastFeed(bridge);
  const runFrame = () => act(() => queued.splice(0).forEach((callback) => callback()));
  const settings = applySettingsPatch(defaultSettings, { metric: 'rps-per-replica', scaleUpThreshold: 70, scaleDownThreshold: 30 });
  render(
    <>
      <ReplicaChart feed={feed} maxReplicas={6} forecast={forecastFeed} />
      <RequestRateChart feed={feed} preview={createThresholdPreview()} metric={settings.metric} scaleUpThreshold={70} scaleDownThreshold={30} extraRules="[]" forecast={forecastFeed} />
    </>,
  );
  return { feed, forecastFeed, runFrame };
}

describe('the forecast on the charts', () => {
  it('draws a dashed line ahead of now on the replica and request charts, with its error beside it', async () => {
    const bridge = new FakeBridge();
    bridge.forecast = { result: forecast };
    const { feed, forecastFeed, runFrame } = charts(bridge);
    const minutes: (() => void)[] = [];
    const stop = forecastFeed.start(feed, (tick, ms) => {
      expect(ms).toBe(60_000);
      minutes.push(tick);
      return () => minutes.splice(0);
    });
    await waitFor(() => {
      runFrame();
      expect(screen.getAllByTestId('forecast-line')).toHaveLength(2);
    });
    for (const line of screen.getAllByTestId('forecast-line')) expect(line.getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+/);
    expect(screen.getAllByText('MAPE 7 %, 3 % of peaks under')).toHaveLength(2);
    // The window reaches past the latest sample by the room the forecast takes: a quarter of the 5 min window.
    expect(feed.view.get().end).toBe(T0 + aheadFor(300));
    // Live updates redraw the charts, not the forecast: it is read again only when a minute has passed.
    for (let i = 0; i < 30; i++) {
      feed.add(makeSample(T0 + i * 1000, { desired: 1, ready: 1, rps: 30 }));
      feed.publish();
      runFrame();
    }
    expect(bridge.callsOf('getForecast')).toHaveLength(1);
    act(() => minutes.forEach((tick) => tick()));
    expect(bridge.callsOf('getForecast')).toHaveLength(2);
    stop();
    expect(minutes).toHaveLength(0);
    expect(forecastFeed.shown.get()).toBeNull();
    expect(feed.view.get().end).toBe(feed.view.get().latest?.at);
  });

  it('draws nothing before there is a forecast, and keeps the reason for the legend\'s tooltip', async () => {
    const bridge = new FakeBridge();
    const { feed, forecastFeed, runFrame } = charts(bridge);
    const stop = forecastFeed.start(feed);
    await waitFor(() => expect(forecastFeed.absent.get()).toBe('no forecast yet: the history holds 0 h of the 24 h a forecast needs'));
    runFrame();
    expect(screen.queryByTestId('forecast-line')).toBeNull();
    expect(screen.getAllByText('none yet')).toHaveLength(2);
    expect(feed.view.get().end).toBe(feed.view.get().latest?.at);
    stop();
  });
});
