// One service's cockpit: its charts, controls, replicas and events. Everything here reads the service snapshot it is
// given and sends commands through the bridge in context, which names the service (service-bridge.ts).
import { useCallback, useEffect, useState, type Dispatch } from 'react';
import { firstRule, type ControlEvent, type LoadStatus, type ScaleDeckApi, type Settings, type Snapshot } from '../electron/contract/contract.js';
import { followArchiveWindow } from './archive-window.js';
import { CpuChart } from './cpu-chart.js';
import type { DashboardAction } from './dashboard-state.js';
import { EventLog } from './event-log.js';
import { ForecastFeed } from './forecast-feed.js';
import { ForecastPanel } from './forecast-panel.js';
import { HistoryFeed, type TimeWindowS } from './history-feed.js';
import { LatencyReadout, latencyRulesOf } from './latency-readout.js';
import { LifecyclePanel } from './lifecycle-panel.js';
import { LoadPanel } from './load-panel.js';
import { ModeSwitch } from './mode-switch.js';
import { PauseSwitches } from './pause-switches.js';
import { PolicyWaiting } from './policy-waiting.js';
import { ReplicaChart } from './replica-chart.js';
import { ReplicaTable } from './replica-table.js';
import { RequestRateChart } from './request-rate-chart.js';
import { RulesPanel } from './rules-panel.js';
import { ScaleControls } from './scale-controls.js';
import { ScheduleEditor } from './schedule-editor.js';
import { SecondClockContext } from './second-clock.js';
import type { ServiceSamples } from './service-samples.js';
import { SettingsPanel } from './settings-panel.js';
import { createThresholdPreview } from './threshold-preview.js';
import { WhatIfFeed } from './what-if-feed.js';

export interface CockpitProps {
  /** The bridge for this service: its per-service commands name it. */
  api: ScaleDeckApi;
  /** The service shown, or undefined for a control plane that names none. */
  service: string | undefined;
  snapshot: Snapshot;
  events: ControlEvent[];
  samples: ServiceSamples;
  /** Changes on every reload of the snapshot: the history is read again with it. */
  loads: number;
  dispatch: Dispatch<DashboardAction>;
  /** The time window to open with, and where a new pick is told, so another service opens on the same one. */
  windowS: TimeWindowS;
  onWindow: (windowS: TimeWindowS) => void;
}

/** Rendered with a `key` per service: a new selection gets fresh feeds (history, ghost, forecast) of its own. */
export function Cockpit({ api, service, snapshot, events, samples, loads, dispatch, windowS, onWindow }: CockpitProps) {
  const [feed] = useState(() => {
    const created = new HistoryFeed();
    created.windowS.set(windowS);
    return created;
  });
  const [preview] = useState(createThresholdPreview);
  // The ghost replays the window the charts show up to now (not the room ahead kept for a forecast), so it lines up
  // with the lines under it.
  const [whatIf] = useState(() => new WhatIfFeed(api, () => {
    const view = feed.view.get();
    return { fromMs: Math.max(0, Math.floor(view.start)), toMs: Math.floor(view.latest?.at ?? view.end) };
  }));
  useEffect(() => () => whatIf.hide(), [whatIf]);
  useEffect(() => feed.windowS.subscribe(() => onWindow(feed.windowS.get())), [feed, onWindow]);
  useEffect(() => followArchiveWindow(api, feed), [api, feed]);
  // The page's one beat: the overview's lines are published on it too, so they are drawn in the charts' frame.
  useEffect(() => feed.start(undefined, undefined, samples.publish), [feed, samples]);
  useEffect(() => (service === undefined ? undefined : samples.follow(service, (sample) => feed.add(sample))), [samples, service, feed]);
  // Read after following the stream, so nothing streamed in between is missed; again after every reload.
  useEffect(() => {
    let alive = true;
    void api.getHistory().then((answer) => {
      if (alive && 'result' in answer) feed.load(answer.result);
    });
    return () => {
      alive = false;
    };
  }, [api, feed, loads]);
  useEffect(() => {
    if (snapshot.sample) feed.add(snapshot.sample);
  }, [feed, snapshot.sample]);

  // Read once a minute while the snapshot says there is a forecast (asking before would only get a 404), and at once
  // when it first says so; until then the legend's tooltip gives its reason.
  const [forecastFeed] = useState(() => new ForecastFeed(api));
  const forecastStatus = snapshot.forecast;
  useEffect(() => forecastFeed.absent.set(forecastStatus.reason), [forecastFeed, forecastStatus.reason]);
  useEffect(() => (forecastStatus.available ? forecastFeed.start(feed) : undefined), [forecastFeed, feed, forecastStatus.available]);

  const onSettings = useCallback((settings: Settings) => dispatch({ type: 'settings', settings, service }), [dispatch, service]);
  const onScaled = useCallback((answer: { desired: number; mode: Settings['mode'] }) => dispatch({ type: 'scaled', ...answer, service }), [dispatch, service]);
  const onMode = useCallback((mode: Settings['mode']) => dispatch({ type: 'mode', mode, service }), [dispatch, service]);
  const onLoad = useCallback((load: LoadStatus) => dispatch({ type: 'load', load }), [dispatch]);

  const { settings } = snapshot;
  const thresholdProps = {
    feed,
    preview,
    metric: firstRule(settings).metric,
    scaleUpThreshold: firstRule(settings).scaleUpThreshold,
    scaleDownThreshold: firstRule(settings).scaleDownThreshold,
    extraRules: JSON.stringify(settings.rules.slice(1)),
    forecast: settings.forecast === 'off' ? undefined : forecastFeed,
  };
  const ready = snapshot.replicas.filter((replica) => replica.state === 'ready').length;
  return (
    <SecondClockContext.Provider value={feed.clock}>
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
          <ModeSwitch mode={settings.mode} onMode={onMode} />
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
        <EventLog events={events} />
      </div>
    </SecondClockContext.Provider>
  );
}
