// The dashboard's state as a pure reducer: snapshots, streamed events and command results folded into one view.
import type { ControlEvent, LoadStatus, ServiceView, Settings, SetupCheck, Snapshot } from '../electron/contract/contract.js';

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
  // A command's answer for one service (absent: the first, as before there were several).
  | { type: 'settings'; settings: Settings; service?: string }
  | { type: 'scaled'; desired: number; mode: Settings['mode']; service?: string }
  | { type: 'mode'; mode: Settings['mode']; service?: string }
  | { type: 'serviceAdded'; service: ServiceView }
  | { type: 'serviceRemoved'; name: string }
  | { type: 'checks'; checks: SetupCheck[] }
  | { type: 'load'; load: LoadStatus };

export const initialDashboardState: DashboardState = { snapshot: null, events: [], loadError: null };

// Two services can tell the same words in the same millisecond ("2 -> 3: ..."): the service is part of the key.
const eventKey = (event: ControlEvent): string => `${event.at}\u0000${event.kind}\u0000${event.service ?? ''}\u0000${event.message}`;

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
  const shared = sharedParts(shown, next);
  // Each service's view is shared part by part too, so the overview row and cockpit of an unchanged service keep theirs.
  const views = next.services.map((view) => {
    const before = shown.services.find((candidate) => candidate.name === view.name);
    return before ? sharedParts(before, view) : view;
  });
  const sameViews = views.length === shown.services.length && views.every((view, i) => view === shown.services[i]);
  return { ...shared, services: sameViews ? shown.services : views };
}

/** `next` with every part JSON-equal to `shown`'s replaced by that one; `shown` itself when all parts are equal. */
function sharedParts<T extends object>(shown: T, next: T): T {
  const shared = { ...next } as Record<string, unknown>;
  let changed = Object.keys(shown).length !== Object.keys(next).length;
  for (const key of Object.keys(next) as (keyof T & string)[]) {
    const before = shown[key];
    if (before !== undefined && (before === next[key] || JSON.stringify(before) === JSON.stringify(next[key]))) shared[key] = before;
    else changed = true;
  }
  return changed ? (shared as T) : shown;
}

function withSnapshot(state: DashboardState, change: (snapshot: Snapshot) => Snapshot): DashboardState {
  return state.snapshot ? { ...state, snapshot: change(state.snapshot) } : state;
}

type ServicePart = Pick<ServiceView, 'settings' | 'desired'>;

/**
 * Applies a command's answer to one service: its view in `services` and, for the first service, the top-level fields
 * that are its own too.
 */
function withService(state: DashboardState, service: string | undefined, change: (part: ServicePart) => ServicePart): DashboardState {
  return withSnapshot(state, (snapshot) => {
    const index = service === undefined ? 0 : snapshot.services.findIndex((view) => view.name === service);
    const services = snapshot.services.map((view, i) => (i === index ? { ...view, ...change(view) } : view));
    return index === 0 || snapshot.services.length === 0 ? { ...snapshot, ...change(snapshot), services } : { ...snapshot, services };
  });
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
      return withService(state, action.service, (part) => ({ ...part, settings: action.settings }));
    case 'scaled':
      return withService(state, action.service, (part) => ({ desired: action.desired, settings: { ...part.settings, mode: action.mode } }));
    case 'mode':
      return withService(state, action.service, (part) => ({ ...part, settings: { ...part.settings, mode: action.mode } }));
    case 'serviceAdded':
      return withSnapshot(state, (s) => ({ ...s, services: [...s.services.filter((view) => view.name !== action.service.name), action.service] }));
    case 'serviceRemoved':
      return withSnapshot(state, (s) => ({ ...s, services: s.services.filter((view) => view.name !== action.name) }));
    case 'checks':
      return withSnapshot(state, (s) => ({ ...s, checks: action.checks }));
    case 'load':
      return withSnapshot(state, (s) => ({ ...s, load: action.load }));
  }
}
