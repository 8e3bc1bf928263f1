// Swarm's rolling update as ScaleDeck reads it: the state of the latest update, and whether one is under way.
import type { EngineUpdate } from '../replica-driver.js';

/** States in which Swarm is still replacing tasks: a replica-count change now would restart the update. */
const UNDER_WAY = new Set(['updating', 'rollback_started']);
/** States in which Swarm gave up on the latest update (rolled back, or stopped half-way). */
const GAVE_UP = new Set(['paused', 'rollback_started', 'rollback_paused', 'rollback_completed']);

/** The fields of a service's UpdateStatus; @types/dockerode leaves them loose. */
interface UpdateStatus {
  State?: string;
  Message?: string;
  StartedAt?: string;
}

export function engineUpdateOf(service: { UpdateStatus?: unknown } | undefined): EngineUpdate | null {
  const status = (service?.UpdateStatus ?? null) as UpdateStatus | null;
  if (!status?.State) return null;
  return { state: status.State, message: status.Message ?? '', startedAt: status.StartedAt ?? '' };
}

export function isUnderWay(update: EngineUpdate | null): boolean {
  return update !== null && UNDER_WAY.has(update.state);
}

export function gaveUp(update: EngineUpdate | null): boolean {
  return update !== null && GAVE_UP.has(update.state);
}

/** What Swarm did, in words for the event log and the paused rollout's reason. */
export function describeEngineUpdate(update: EngineUpdate): string {
  switch (update.state) {
    case 'rollback_started':
      return `Swarm is rolling the update back (${update.message})`;
    case 'rollback_completed':
      return `Swarm rolled the update back: the old tasks serve (${update.message})`;
    case 'rollback_paused':
      return `Swarm's rollback stopped half-way (${update.message})`;
    case 'paused':
      return `Swarm paused the update (${update.message})`;
    default:
      return `Swarm's update is ${update.state} (${update.message})`;
  }
}
