// The replicas the reconcile loop knows, brought in line each pass with what the engine and HAProxy answer.
import type { ReplicaState } from '../../contract/contract.js';
import type { ObservedReplica } from '../replicas/replica-driver.js';
import type { ReplicaFacts } from './replica-facts.js';
import type { ServerView } from './load-balancer.js';

export interface TrackedReplica extends ObservedReplica {
  state: ReplicaState;
  registered: boolean;
  /** Bumped whenever the controller changes the replica, to tell fresh state from an older observation. */
  version: number;
  busy: boolean;
  note?: string;
  /** Brought up as a warm spare (out of rotation) rather than to serve. */
  spare?: boolean;
}

export interface Observation {
  observed: ObservedReplica[];
  /** The backend's servers, or null when HAProxy did not answer. */
  servers: ServerView[] | null;
  /** What `mark()` answered right before the engine and HAProxy were asked. */
  observedAfter: number;
  /** Creates (of replicas and of spares) still in flight. */
  creating: number;
  /** Warm spares wanted beside the desired count. */
  standby: () => number;
  onAdopted: (replica: ObservedReplica, state: ReplicaState) => void;
}

export class TrackedReplicas {
  private readonly byId = new Map<string, TrackedReplica>();
  /**
   * Replicas the controller removed: a listing asked for before the removal finished still shows them, and must
   * not bring them back as adopted. Forgotten once a listing no longer shows them.
   */
  private readonly removed = new Set<string>();
  /** Counts changes made to tracked replicas (see TrackedReplica.version). */
  private changes = 0;

  get(id: string): TrackedReplica | undefined {
    return this.byId.get(id);
  }

  /** In the order they were first tracked. */
  values(): TrackedReplica[] {
    return [...this.byId.values()];
  }

  /** Oldest first. */
  sorted(): TrackedReplica[] {
    return this.values().sort((a, b) => a.startedAt - b.startedAt);
  }

  /** Taken right before the engine and HAProxy are asked: replicas changed after it are newer than their answer. */
  mark(): number {
    return this.changes;
  }

  track(o: ObservedReplica, state: ReplicaState, registered: boolean, note?: string): TrackedReplica {
    const replica: TrackedReplica = { ...o, state, registered, busy: false, note, version: ++this.changes };
    this.byId.set(o.id, replica);
    return replica;
  }

  /** The controller changed this replica: an observation asked for before now says nothing about it. */
  touch(replica: TrackedReplica): void {
    replica.version = ++this.changes;
  }

  forget(id: string): void {
    this.byId.delete(id);
    this.removed.add(id);
  }

  /**
   * Updates the tracked replicas from one listing and adopts the healthy ones nobody created; answers whether a
   * snapshot would show a change, and the facts the plan decides on.
   */
  observe({ observed, servers, observedAfter, creating, standby, onAdopted }: Observation): { changed: boolean; facts: ReplicaFacts[] } {
    // A replica created, brought up or registered while the engine and HAProxy were being asked is newer than
    // what they answered: this pass neither updates it from that answer nor acts on it.
    const fresh = (r: TrackedReplica) => r.version > observedAfter;
    const serverByName = new Map((servers ?? []).map((s) => [s.name, s]));
    const seen = new Set<string>();
    let changed = false;

    for (const id of this.removed) if (!observed.some((o) => o.id === id)) this.removed.delete(id);
    const replacements = new Set(observed.map((o) => o.successor).filter((id): id is string => id !== undefined));
    for (const o of observed) {
      if (this.removed.has(o.id)) continue;
      seen.add(o.id);
      const known = this.byId.get(o.id);
      const server = serverByName.get(o.name);
      if (known) {
        if (fresh(known)) continue;
        if (known.running !== o.running) changed = true;
        known.running = o.running;
        // The engine starts a replacement for a replica it already ran (Swarm's rolling update).
        known.successor = o.successor;
        if (servers) known.registered = server !== undefined;
        continue;
      }
      // While a create is in flight its container may already be listed; it is tracked when create returns. A task
      // the engine started to replace another (Swarm's rolling update) is no create's: it is adopted at once.
      if ((creating > 0 && !replacements.has(o.id)) || !o.running) {
        if (!o.running && creating === 0) this.track(o, 'failed', server !== undefined, 'found stopped');
        continue;
      }
      // One the engine is stopping for its successor, and out of HAProxy already (drained before a restart of the
      // control plane): bringing it back up would put it in rotation just before the engine kills it.
      if (o.successor !== undefined && !server) continue;
      // A healthy server left out of rotation is taken for a spare while spares are wanted; else it goes back in.
      const spareWanted = standby() > this.values().filter((r) => r.state === 'standby').length;
      const state: ReplicaState = server?.up && !server.maint ? (!server.draining ? 'ready' : spareWanted ? 'standby' : 'starting') : 'starting';
      this.track(o, state, server !== undefined);
      onAdopted(o, state);
      changed = true;
    }
    for (const r of this.byId.values()) {
      // One still being brought up is told too, so its health wait stops (Swarm dropped a task that never got healthy).
      if (!seen.has(r.id) && (!r.busy || r.state === 'starting') && !fresh(r) && r.running) {
        r.running = false;
        changed = true;
      }
    }

    const facts: ReplicaFacts[] = this.values().map((r) => {
      const server = serverByName.get(r.name);
      const leftDraining = !r.busy && r.state === 'starting' && server !== undefined && (server.draining || server.maint);
      return {
        id: r.id, name: r.name, state: r.state, startedAt: r.startedAt, running: r.running, registered: r.registered, busy: r.busy || fresh(r),
        leftDraining, generation: r.generation, spare: r.spare, successor: r.successor,
      };
    });
    return { changed, facts };
  }

  /** The facts for a plan made without asking the engine or HAProxy (what is tracked is taken as it stands). */
  factsAsTracked(): ReplicaFacts[] {
    return this.values().map((r) => ({
      id: r.id, name: r.name, state: r.state, startedAt: r.startedAt, running: r.running, registered: r.registered, busy: r.busy, spare: r.spare,
    }));
  }
}
