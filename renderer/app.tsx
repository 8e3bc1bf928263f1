// The dashboard: charts on top, controls at the side, replicas and events below; state comes only from the bridge.
import { useCallback, useEffect, useState } from 'react';
import type { LoadStatus, ScaleDeckApi, Settings, SetupCheck } from '../electron/contract/contract.js';
import { followArchiveWindow } from './archive-window.js';
import { BridgeContext } from './bridge-context.js';
import { CpuChart } from './cpu-chart.js';
import { EventLog } from './event-log.js';
import { ForecastFeed } from './forecast-feed.js';
import { HistoryFeed } from './history-feed.js';
import { LatencyReadout, latencyRulesOf } from './latency-readout.js';
import { ForecastPanel } from './forecast-panel.js';
import { LifecyclePanel } from './lifecycle-panel.js';
import { LoadPanel } from './load-panel.js';
import { ModeSwitch } from './mode-switch.js';
import { PauseSwitches } from './pause-switches.js';
import { PolicyWaiting } from './policy-waiting.js';
import { ReplicaChart } from './replica-chart.js';
import { ReplicaTable } from './replica-table.js';
import { RolloutStatus } from './rollout-status.js';
import { RulesPanel } from './rules-panel.js';
import { ScheduleEditor } from './schedule-editor.js';
import { RequestRateChart } from './request-rate-chart.js';
import { ScaleControls } from './scale-controls.js';
import { SecondClockContext } from './second-clock.js';
import { SettingsPanel } from './settings-panel.js';
import { SetupPanel } from './setup-panel.js';
import { StatusBar } from './status-bar.js';
import { createThresholdPreview } from './threshold-preview.js';
import { useDashboard } from './use-dashboard.js';
import { WhatIfFeed } from './what-if-feed.js';

export function App({ api }: { api: ScaleDeckApi }) {
  return (
    <BridgeContext.Provider value={api}>
      <Dashboard api={api} />
    </BridgeContext.Provider>
  );
}

function Dashboard({ api }: { api: ScaleDeckApi }) {
  const [feed] = useState(() => new HistoryFeed());
  const [preview] = useState(createThresholdPreview);
  // The ghost replays the window the charts show up to now (not the room ahead kept for a forecast), so it lines up
  // with the lines under it.
  const [whatIf] = useState(() => new WhatIfFeed(api, () => {
    const view = feed.view.get();
    return { fromMs: Math.max(0, Math.floor(view.start)), toMs: Math.floor(view.latest?.at ?? view.end) };
  }));
  useEffect(() => () => whatIf.hide(), [whatIf]);
  useEffect(() => followArchiveWindow(api, feed), [api, feed]);
  const { state, dispatch, connection, reload } = useDashboard(api, feed);
  // Read once a minute while the snapshot says there is a forecast (asking before would only get a 404), and at once
  // when it first says so; until then the legend's tooltip gives its reason.
  const [forecastFeed] = useState(() => new ForecastFeed(api));
  const forecastStatus = state.snapshot?.forecast;
  useEffect(() => forecastFeed.absent.set(forecastStatus?.reason ?? null), [forecastFeed, forecastStatus?.reason]);
  useEffect(() => (forecastStatus?.available ? forecastFeed.start(feed) : undefined), [forecastFeed, feed, forecastStatus?.available]);

  const onSettings = useCallback((settings: Settings) => dispatch({ type: 'settings', settings }), [dispatch]);
  const onScaled = useCallback((answer: { desired: number; mode: Settings['mode'] }) => dispatch({ type: 'scaled', ...answer }), [dispatch]);
  const onMode = useCallback((mode: Settings['mode']) => dispatch({ type: 'mode', mode }), [dispatch]);
  const onChecks = useCallback((checks: SetupCheck[]) => dispatch({ type: 'checks', checks }), [dispatch]);
  const onLoad = useCallback((load: LoadStatus) => dispatch({ type: 'load', load }), [dispatch]);

  const snapshot = state.snapshot;
  if (!snapshot) {
    return (
      <div className="splash">
        <h1>ScaleDeck</h1>
        {state.loadError ? (
          <>
            <p className="field-error" role="alert">
              {state.loadError}
            </p>
            <button type="button" className="primary" onClick={reload}>
              Try again
            </button>
          </>
        ) : (
          <p role="status">Connecting to the control plane…</p>
        )}
      </div>
    );
  }

  const { settings } = snapshot;
  const thresholdProps = {
    feed,
    preview,
    metric: settings.metric,
    scaleUpThreshold: settings.scaleUpThreshold,
    scaleDownThreshold: settings.scaleDownThreshold,
    extraRules: JSON.stringify(settings.rules.slice(1)),
    forecast: settings.forecast === 'off' ? undefined : forecastFeed,
  };
  const ready = snapshot.replicas.filter((replica) => replica.state === 'ready').length;
  return (
    <SecondClockContext.Provider value={feed.clock}>
      <div className="app">
        <StatusBar docker={snapshot.docker} haproxy={snapshot.haproxy} driver={settings.driver} connection={connection} />
        <RolloutStatus rollout={snapshot.rollout} />
        {snapshot.checks.some((check) => !check.ok) && <SetupPanel checks={snapshot.checks} imageBuild={snapshot.imageBuild} onChecks={onChecks} />}
        <main className="layout">
          <section className="charts" aria-label="Live charts">
            <CpuChart {...thresholdProps} />
            <div className="charts-row">
              <ReplicaChart
                feed={feed} maxReplicas={settings.maxReplicas} whatIf={whatIf} forecast={thresholdProps.forecast} scheduleWindows={JSON.stringify(snapshot.policy.windows)}
              />
              <RequestRateChart {...thresholdProps} />
              <LatencyReadout feed={feed} latencyRules={latencyRulesOf(settings.rules)} />
            </div>
          </section>
          <aside className="controls" aria-label="Controls">
            <section className="card control-card" aria-labelledby="control-title">
              <h2 id="control-title">Scale</h2>
              <ScaleControls desired={snapshot.desired} ready={ready} maxReplicas={snapshot.policy.range.maxReplicas} onScaled={onScaled} />
              <ModeSwitch mode={snapshot.settings.mode} onMode={onMode} />
              <PauseSwitches pauseScaleOut={settings.pauseScaleOut} pauseScaleIn={settings.pauseScaleIn} onSettings={onSettings} />
              <PolicyWaiting policy={snapshot.policy} />
            </section>
            <SettingsPanel settings={settings} preview={preview} onSettings={onSettings} whatIf={whatIf} />
            <RulesPanel settings={settings} onSettings={onSettings} whatIf={whatIf} />
            <ScheduleEditor settings={settings} onSettings={onSettings} />
            <ForecastPanel settings={settings} onSettings={onSettings} />
            <LifecyclePanel settings={settings} onSettings={onSettings} />
            <LoadPanel load={snapshot.load} onLoad={onLoad} />
          </aside>
          <div className="lower">
            <ReplicaTable replicas={snapshot.replicas} />
            <EventLog events={state.events} />
          </div>
        </main>
      </div>
    </SecondClockContext.Provider>
  );
}
