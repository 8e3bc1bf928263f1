// Connects the dashboard to the bridge: first snapshot and history, then the live stream, reloading after a reconnect.
import { useCallback, useEffect, useReducer, useRef, useState, type Dispatch } from 'react';
import type { ScaleDeckApi } from '../electron/contract/contract.js';
import { connectionOf, type ConnectionState } from './bridge.js';
import { dashboardReducer, initialDashboardState, type DashboardAction, type DashboardState } from './dashboard-state.js';
import type { HistoryFeed } from './history-feed.js';

export interface Dashboard {
  state: DashboardState;
  dispatch: Dispatch<DashboardAction>;
  connection: ConnectionState;
  /** Reads the snapshot and the history again (after a failure, or once the stream is back). */
  reload: () => void;
}

export function useDashboard(api: ScaleDeckApi, feed: HistoryFeed): Dashboard {
  const [state, dispatch] = useReducer(dashboardReducer, initialDashboardState);
  const source = connectionOf(api);
  const [connection, setConnection] = useState<ConnectionState>(source ? 'connecting' : 'open');
  const alive = useRef(true);

  const reload = useCallback(() => {
    void api.getSnapshot().then((answer) => {
      if (!alive.current) return;
      if ('result' in answer) {
        dispatch({ type: 'snapshot', snapshot: answer.result });
        if (answer.result.sample) feed.add(answer.result.sample);
      } else {
        dispatch({ type: 'loadError', error: answer.error });
      }
    });
    void api.getHistory().then((answer) => {
      if (alive.current && 'result' in answer) feed.load(answer.result);
    });
  }, [api, feed]);

  useEffect(() => {
    alive.current = true;
    const stopPublishing = feed.start();
    // Subscribe before reading, so nothing that happens in between is missed.
    const unsubscribe = api.subscribe((message) => {
      if (message.type === 'sample') {
        feed.add(message.sample);
      } else if (message.type === 'event') {
        dispatch({ type: 'event', event: message.event });
      } else {
        dispatch({ type: 'snapshot', snapshot: message.snapshot });
        if (message.snapshot.sample) feed.add(message.snapshot.sample);
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
      stopPublishing();
    };
  }, [api, feed, reload]);

  return { state, dispatch, connection, reload };
}
