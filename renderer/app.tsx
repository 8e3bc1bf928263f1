// The dashboard: the services overview on top, then the selected service's cockpit (charts, controls, replicas, events);
// state comes only from the bridge.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ScaleDeckApi, ServiceView, SetupCheck } from '../electron/contract/contract.js';
import { composeFileSourceOf } from './bridge.js';
import { BridgeContext } from './bridge-context.js';
import { ComposePanel, type ComposeRequest } from './compose-panel.js';
import { Cockpit } from './cockpit.js';
import type { TimeWindowS } from './history-feed.js';
import { RolloutStatus } from './rollout-status.js';
import { serviceBridge } from './service-bridge.js';
import { ServiceSamples } from './service-samples.js';
import { eventsOf, resolveService, serviceSnapshot } from './service-snapshot.js';
import { ServicesOverview } from './services-overview.js';
import { SetupPanel } from './setup-panel.js';
import { StatusBar } from './status-bar.js';
import { useDashboard } from './use-dashboard.js';

const COMPOSE_PANEL_ID = 'compose-panel';

export function App({ api }: { api: ScaleDeckApi }) {
  return (
    <BridgeContext.Provider value={api}>
      <Dashboard api={api} />
    </BridgeContext.Provider>
  );
}

function Dashboard({ api }: { api: ScaleDeckApi }) {
  const [samples] = useState(() => new ServiceSamples());
  const { state, dispatch, connection, reload, loads } = useDashboard(api, samples);
  const [selected, setSelected] = useState<string | null>(null);
  // The chart window a person picked stays picked when they look at another service.
  const windowS = useRef<TimeWindowS>(300);
  const onWindow = useCallback((next: TimeWindowS) => (windowS.current = next), []);
  const onChecks = useCallback((checks: SetupCheck[]) => dispatch({ type: 'checks', checks }), [dispatch]);
  const onAdded = useCallback(
    (view: ServiceView) => {
      dispatch({ type: 'serviceAdded', service: view });
      setSelected(view.name);
    },
    [dispatch],
  );
  const onRemoved = useCallback(
    (name: string) => {
      dispatch({ type: 'serviceRemoved', name });
      // The cockpit goes back to the first service, and stays there if a service of that name comes back later.
      setSelected((current) => (current === name ? null : current));
    },
    [dispatch],
  );

  const [composeOpen, setComposeOpen] = useState(false);
  const [composeRequest, setComposeRequest] = useState<ComposeRequest | null>(null);
  const toggleCompose = useCallback(() => {
    setComposeOpen((open) => !open);
    // A file from the menu is planned once: the panel opened again starts from its file input.
    setComposeRequest(null);
  }, []);
  const onComposeRemoved = useCallback((names: string[]) => names.forEach(onRemoved), [onRemoved]);
  // The desktop menu's "Open Compose file…" opens the panel and plans the file, with its folder.
  useEffect(
    () =>
      composeFileSourceOf(api)?.onComposeFile((input) => {
        setComposeOpen(true);
        setComposeRequest((last) => ({ input, seq: (last?.seq ?? 0) + 1 }));
      }),
    [api],
  );

  const snapshot = state.snapshot;
  const service = snapshot ? resolveService(snapshot, selected) : undefined;
  // The one place the selection reaches the commands: every per-service command sent from the cockpit names it.
  const scoped = useMemo(() => (service === undefined ? api : serviceBridge(api, service)), [api, service]);
  const events = useMemo(() => eventsOf(state.events, service), [state.events, service]);

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

  const shown = serviceSnapshot(snapshot, service);
  return (
    <div className="app">
      <StatusBar docker={snapshot.docker} haproxy={snapshot.haproxy} driver={snapshot.settings.driver} connection={connection} />
      <BridgeContext.Provider value={scoped}>
        <RolloutStatus rollout={shown.rollout} service={snapshot.services.length > 1 ? service : undefined} />
      </BridgeContext.Provider>
      {snapshot.checks.some((check) => !check.ok) && <SetupPanel checks={snapshot.checks} imageBuild={snapshot.imageBuild} onChecks={onChecks} />}
      <main className="layout">
        <div className="overview-area">
          <ServicesOverview
            services={snapshot.services}
            selected={service}
            onSelect={setSelected}
            samples={samples}
            onAdded={onAdded}
            onRemoved={onRemoved}
            composeOpen={composeOpen}
            composePanelId={COMPOSE_PANEL_ID}
            onToggleCompose={toggleCompose}
          />
          {composeOpen && (
            <div id={COMPOSE_PANEL_ID}>
              <ComposePanel request={composeRequest} onSelect={setSelected} onRemoved={onComposeRemoved} />
            </div>
          )}
        </div>
        <BridgeContext.Provider value={scoped}>
          <Cockpit
            key={service ?? ''}
            api={scoped}
            service={service}
            snapshot={shown}
            events={events}
            samples={samples}
            loads={loads}
            dispatch={dispatch}
            windowS={windowS.current}
            onWindow={onWindow}
          />
        </BridgeContext.Provider>
      </main>
    </div>
  );
}
