// Watches the Docker engine while ScaleDeck runs: its reachability for the snapshot, and an event when it goes away
// or comes back (the state at start is the setup checks' to tell).
import type { ControlEvent } from '../contract/contract.js';
import type { Clock } from './clock.js';
import type { DockerEngine } from './control-plane-parts.js';

const WATCH_MS = 2000;
/** With process replicas the engine's state is only shown, never acted on: asked this often. */
const IDLE_WATCH_MS = 30_000;

export class DockerWatch {
  private current: { reachable: boolean; version: string | null } = { reachable: false, version: null };
  private watched = false;
  private cancel: (() => void) | null = null;
  private refreshedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly engine: Pick<DockerEngine, 'status'>,
    private readonly onEvent: (kind: ControlEvent['kind'], message: string) => void,
    private readonly onChange: () => void,
    /** Process replicas do not depend on the engine: nothing to say when it comes and goes. */
    private readonly matters: () => boolean,
  ) {}

  get state(): { reachable: boolean; version: string | null } {
    return this.current;
  }

  start(clock: Clock): void {
    this.cancel = clock.every(WATCH_MS, () => {
      if (this.matters() || clock.now() - this.refreshedAt >= IDLE_WATCH_MS) {
        this.refreshedAt = clock.now();
        void this.refresh();
      }
    });
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }

  async refresh(): Promise<void> {
    const status = await this.engine.status();
    const was = this.watched ? this.current.reachable : null;
    this.watched = true;
    this.current = { reachable: status.reachable, version: status.version };
    if (was === status.reachable) return;
    if (was !== null && this.matters()) {
      this.onEvent('docker', status.reachable
        ? `The Docker engine answers again (${status.version ?? 'version unknown'}); replicas that stopped meanwhile are replaced`
        : `The Docker engine stopped answering (${status.error ?? 'no answer'}); HAProxy keeps serving what still runs`);
    }
    this.onChange();
  }
}
