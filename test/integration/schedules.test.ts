// A schedule window on a real service (process replicas behind the real HAProxy): it opens at its cron minute, the
// count rises to its min with the window named in the event, a pause keeps the count after it closes, and the
// requests sent through it all get answers.
import { afterEach, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../support/requirements.js';
import { expectEveryRequestAnswered, loadLine, runLoad, startPlane, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';

/** A cron for the next whole minute at least 20 s away, in UTC, and when it fires. */
function nextMinute(): { cron: string; at: number } {
  const at = Math.ceil((Date.now() + 20_000) / 60_000) * 60_000;
  const date = new Date(at);
  return { cron: `${date.getUTCMinutes()} ${date.getUTCHours()} * * *`, at };
}

describe.skipIf(!hasHaproxy())('schedule windows on a running service', () => {
  let fixture: PlaneFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('raises the count when the window opens, names it, and a paused scale-in keeps the count after it closes', async () => {
    const { cron, at } = nextMinute();
    fixture = await startPlane({
      driver: 'process', mode: 'auto', minReplicas: 1, maxReplicas: 5, breachSamples: 2, scaleDownCooldownS: 0, warmupS: 0,
      schedules: [{ name: 'it-window', cron, durationMin: 1, minReplicas: 3, timezone: 'UTC' }],
    }, { desired: 1 });
    await waitFor(() => fixture!.ready() === 1, 30_000, 'the first replica');
    expect(fixture.plane.snapshot().policy.schedule.next).toMatch(/^next window "it-window" at \d\d:\d\d \(min 3 for 1 min\)$/);

    // Requests flow through the window's scale-out: every one is answered.
    const durationS = Math.ceil((at - Date.now()) / 1000) + 15;
    const load = runLoad({ url: new URL('/work?ms=5', fixture.frontend).toString(), rate: 20, durationS, connections: 4 });
    await waitFor(() => fixture!.plane.snapshot().desired === 3, at - Date.now() + 15_000, 'the window raising the count', 200);
    const lateMs = Date.now() - at;
    await waitFor(() => fixture!.ready() === 3, 30_000, 'three replicas serving');
    const scale = fixture.plane.snapshot().events.filter((e) => e.kind === 'scale').map((e) => e.message);
    expect(scale).toContainEqual(expect.stringMatching(/^1 -> 3: schedule "it-window" opened \(min 3 until \d\d:\d\d\)$/));
    expect(fixture.plane.snapshot().policy.windows.map((w) => w.name)).toContain('it-window');

    const patched = await fixture.plane.updateSettings({ pauseScaleIn: true });
    expect('result' in patched).toBe(true);
    const report = await load.done;
    await waitFor(() => fixture!.plane.snapshot().events.some((e) => e.kind === 'schedule' && /closed/.test(e.message)), 70_000, 'the window closing', 200);
    // Idle replicas well under the down-threshold: the rules would scale in, and the pause holds them.
    await waitFor(() => /^would scale in to 2: paused/.test(fixture!.plane.snapshot().policy.waitingFor ?? ''), 15_000, 'the paused scale-in', 200);
    expect(fixture.plane.snapshot().desired).toBe(3);
    console.log(`[schedules] count raised ${lateMs} ms after the cron minute; ${loadLine('load through the window', report)}`);
    expectEveryRequestAnswered(report, 20 * durationS, 'load through the window');
  });
});
