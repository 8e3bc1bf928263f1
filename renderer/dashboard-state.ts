// The dashboard's state as a pure reducer: snapshots, streamed events and command results folded into one view.
import type { ControlEvent, LoadStatus, Settings, SetupCheck, Snapshot } from '../electron/contract/contract.js';

/** Enough events to scroll back through a busy hour without growing without bound. */
export const EVENT_LIMIT = 300;

export interface DashboardState {
  snapshot: Snapshot | null;
  /** Newest last, like the snapshot's; the log reverses them for display. */
  events: ControlEvent[];
  /** Why the first snapshot could not be read, when it could not. */
  loadError: string | null;
}

export type DashboardAction =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'event'; event: ControlEvent }
  | { type: 'loadError'; error: string }
  | { type: 'settings'; settings: Settings }
  | { type: 'scaled'; desired: number; mode: Settings['mode'] }
  | { type: 'mode'; mode: Settings['mode'] }
  | { type: 'checks'; checks: SetupCheck[] }
  | { type: 'load'; load: LoadStatus };

export const initialDashboardState: DashboardState = { snapshot: null, events: [], loadError: null };

const eventKey = (event: ControlEvent): string => `${event.at}\u0000${event.kind}\u0000${event.message}`;

/** Merges events from snapshots and the stream: the same event can arrive by both, so it is kept once, by time. */
export function mergeEvents(current: readonly ControlEvent[], incoming: readonly ControlEvent[], limit = EVENT_LIMIT): ControlEvent[] {
  const seen = new Set(current.map(eventKey));
  const added = incoming.filter((event) => {
    const key = eventKey(event);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (added.length === 0) return current.length > limit ? current.slice(-limit) : (current as ControlEvent[]);
  const merged = [...current, ...added];
  // A stable sort keeps events of the same millisecond in the order they were told.
  merged.sort((a, b) => a.at - b.at);
  return merged.slice(-limit);
}

/**
 * The new snapshot with every part equal to the shown one's replaced by that one, so memoised panels whose part did
 * not change skip their render: a snapshot arrives whole even when only the load status or one replica moved.
 */
export function shareUnchanged(shown: Snapshot | null, next: Snapshot): Snapshot {
  if (!shown) return next;
  const shared: Record<string, unknown> = { ...next };
  for (const key of Object.keys(next) as (keyof Snapshot)[]) {
    const before = shown[key];
    if (before !== undefined && JSON.stringify(before) === JSON.stringify(next[key])) shared[key] = before;
  }
  return shared as unknown as Snapshot;
}

function withSnapshot(state: DashboardState, change: (snapshot: Snapshot) => Snapshot): DashboardState {
  return state.snapshot ? { ...state, snapshot: change(state.snapshot) } : state;
}

export function dashboardReducer(state: DashboardState, action: DashboardAction): DashboardState {
  switch (action.type) {
    case 'snapshot':
      return { snapshot: shareUnchanged(state.snapshot, action.snapshot), events: mergeEvents(state.events, action.snapshot.events), loadError: null };
    case 'event':
      return { ...state, events: mergeEvents(state.events, [action.event]) };
    case 'loadError':
      return { ...state, loadError: action.error };
    case 'settings':
      return withSnapshot(state, (s) => ({ ...s, settings: action.settings }));
    case 'scaled':
      return withSnapshot(state, (s) => ({ ...s, desired: action.desired, settings: { ...s.settings, mode: action.mode } }));
    case 'mode':
      return withSnapshot(state, (s) => ({ ...s, settings: { ...s.settings, mode: action.mode } }));
    case 'checks':
      return withSnapshot(state, (s) => ({ ...s, checks: action.checks }));
    case 'load':
      return withSnapshot(state, (s) => ({ ...s, load: action.load }));
  }
}
