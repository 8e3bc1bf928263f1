// One service's part of the snapshot, shaped as the whole snapshot the cockpit was written for, and its events.
import type { ControlEvent, Snapshot } from '../electron/contract/contract.js';

/** The name of the service a selection stands for: the selected one while it exists, else the first (or none). */
export function resolveService(snapshot: Snapshot, selected: string | null): string | undefined {
  const names = snapshot.services.map((view) => view.name);
  return selected !== null && names.includes(selected) ? selected : names[0];
}

/**
 * The snapshot with its per-service fields taken from `service`'s view. The top-level fields are the first service's
 * (the contract says so), so for the first one the snapshot is returned as it is, parts shared with the one shown.
 */
export function serviceSnapshot(snapshot: Snapshot, service: string | undefined): Snapshot {
  const index = snapshot.services.findIndex((view) => view.name === service);
  if (index <= 0) return snapshot;
  const view = snapshot.services[index]!;
  return {
    ...snapshot,
    settings: view.settings,
    desired: view.desired,
    replicas: view.replicas,
    policy: view.policy,
    rollout: view.rollout,
    sample: view.sample,
    forecast: view.forecast,
  };
}

/** The events a service's cockpit shows: its own and those about the whole app (no service named). */
export function eventsOf(events: readonly ControlEvent[], service: string | undefined): ControlEvent[] {
  return events.filter((event) => event.service === undefined || event.service === service);
}
