// What unit tests of the control plane on fakes start and must stop: the plane running on its fake clock, and the
// temp data folders, cleaned after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ControlPlane } from '../../electron/core/control-plane.js';
import type { FakeClock } from './fake-clock.js';

export class FakePlaneLifecycle {
  private readonly dirs: string[] = [];
  private running: { plane: ControlPlane; clock: FakeClock } | null = null;

  dataDir(prefix: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  started(plane: ControlPlane, clock: FakeClock): void {
    this.running = { plane, clock };
  }

  /** The test shut the plane down itself. */
  stopped(): void {
    this.running = null;
  }

  /** For afterEach: shuts down what still runs (on its fake clock) and removes the folders. */
  async cleanup(): Promise<void> {
    if (this.running) {
      const { plane, clock } = this.running;
      this.running = null;
      await clock.run(plane.shutdown({ keepRunning: false }), 'the shutdown');
    }
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
