// Connects the dashboard to the bridge: first the snapshot, then the live stream, reloading after a reconnect; samples
// go to the service they measure, whose cockpit reads its own history.
import { useCallback, useEffect, useReducer, useRef, useState, type Dispatch } from 'react';
import type { ScaleDeckApi } from '../electron/contract/contract.js';
import { connectionOf, type ConnectionState } from './bridge.js';
import { dashboardReducer, initialDashboardState, type DashboardAction, type DashboardState } from './dashboard-state.js';
import { TREND_WINDOW_MS, type ServiceSamples } from './service-samples.js';

export interface Dashboard {
  state: DashboardState;
  dispatch: Dispatch<DashboardAction>;
  connection: ConnectionState;
  /** Reads the snapshot again (after a failure, or once the stream is back). */
  reload: () => void;
  /** Counts the reloads: a cockpit reads its history again when it changes. */
  loads: number;
}

export function useDashboard(api: ScaleDeckApi, samples: ServiceSamples): Dashboard {
  const [state, dispatch] = useReducer(dashboardReducer, initialDashboardState);
  const source = connectionOf(api);
  const [connection, setConnection] = useState<ConnectionState>(source ? 'connecting' : 'open');
  const [loads, setLoads] = useState(0);
  const alive = useRef(true);

  const reload = useCallback(() => {
    setLoads((count) => count + 1);
    void api.getSnapshot().then((answer) => {
      if (!alive.current) return;
      if ('result' in answer) {
        dispatch({ type: 'snapshot', snapshot: answer.result });
        samples.addSnapshot(answer.result);
        // The overview's replica lines start with the recorded trend window, not empty at every page load.
        for (const view of answer.result.services) {
          const fromMs = Math.max(0, (view.sample?.at ?? Date.now()) - TREND_WINDOW_MS);
          void api.getHistory({ fromMs, service: view.name }).then((history) => {
            if (alive.current && 'result' in history) samples.load(view.name, history.result);
          });
        }
      } else {
        dispatch({ type: 'loadError', error: answer.error });
      }
    });
  }, [api, samples]);

  useEffect(() => {
    alive.current = true;
    // Subscribe before reading, so nothing that happens in between is missed.
    const unsubscribe = api.subscribe((message) => {
      if (message.type === 'sample') {
        samples.add(message.sample);
      } else if (message.type === 'event') {
        dispatch({ type: 'event', event: message.event });
      } else {
        dispatch({ type: 'snapshot', snapshot: message.snapshot });
        samples.addSnapshot(message.snapshot);
      }
    });
    let previous: ConnectionState | null = null;
    const stopWatching = connectionOf(api)?.onConnectionState((next) => {
      setConnection(next);
      // Whatever happened while the stream was down is only in the snapshot and the history.
      if (next === 'open' && previous === 'reconnecting') reload();
      previous = next;
    });
    reload();
    return () => {
      alive.current = false;
      stopWatching?.();
      unsubscribe();
    };
  }, [api, samples, reload]);

  return { state, dispatch, connection, reload, loads };
}
