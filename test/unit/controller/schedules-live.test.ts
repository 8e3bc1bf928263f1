// Schedule windows and pauses in the running control plane, on in-memory parts and a fake clock: the window raises
// the count and the event names it, "waiting for" names the next window, and a pause keeps the wake and the hand.
import { afterEach, describe, expect, it } from 'vitest';
import { createControlPlane } from '../../../electron/core/compose-control-plane.js';
import { SettingsStore } from '../../../electron/core/settings-store.js';
import type { SettingsPatch } from '../../../electron/contract/settings-schema.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakePlaneLifecycle } from '../../support/fake-plane-lifecycle.js';
import { FakeDriver, FakeHaproxy, FakeLoadBalancer, fakeDocker } from '../../support/control-plane-fakes.js';

const planes = new FakePlaneLifecycle();
afterEach(() => planes.cleanup());

// The fake clock starts at 2023-11-14T22:13:20Z: this window opens 100 s later, for 10 minutes.
const soon = { name: 'evening-peak', cron: '15 22 * * *', durationMin: 10, minReplicas: 3, timezone: 'UTC' };
const OPENS_AT = Date.parse('2023-11-14T22:15:00Z');

/** `again` starts on an earlier plane's data folder, at a later instant, as a restarted app does. */
async function startPlane(settings: SettingsPatch, desired: number, again?: { dataDir: string; at: number }) {
  const dataDir = again?.dataDir ?? planes.dataDir('scaledeck-schedules-');
  const store = new SettingsStore(dataDir);
  store.update({ sampleIntervalMs: 1000, metric: 'host-cpu', scaleUpThreshold: 70, scaleDownThreshold: 30, breachSamples: 2, ...settings });
  store.setDesired(desired);
  const clock = new FakeClock(again?.at);
  const log: string[] = [];
  const driver = new FakeDriver(log, 'process');
  const lb = new FakeLoadBalancer(log);
  const plane = await createControlPlane(
    { dataDir, paths: { apiDockerfile: 'api/Dockerfile', apiServerJs: 'dist/api/server.js' } },
    {
      clock, driver, lb, haproxy: new FakeHaproxy(lb), docker: fakeDocker(),
      // Between the thresholds: the rules alone would keep the count where it is.
      hostCpu: async () => 50,
      probeHealth: driver.probe,
      probes: { docker: async () => null, haproxy: async () => '2.6.12', image: async () => true, portBlocker: async () => null },
      portBlocker: async () => null,
    },
  );
  planes.started(plane, clock);
  const events = (kind?: string) => plane.snapshot().events.filter((e) => kind === undefined || e.kind === kind).map((e) => e.message);
  return { plane, clock, lb, events, dataDir };
}

describe('a schedule window in the running service', () => {
  it('raises the count when it opens, and the scale event names the window and its end', async () => {
    const { plane, clock, events } = await startPlane({ schedules: [soon] }, 1);
    await clock.advance(5000);
    expect(plane.snapshot().desired).toBe(1);
    expect(plane.snapshot().policy.schedule).toEqual({ open: null, next: 'next window "evening-peak" at 22:15 (min 3 for 10 min)' });
    await clock.until(() => plane.snapshot().desired === 3, 'the window raising the count', { maxMs: 120_000 });
    expect(clock.now()).toBeGreaterThanOrEqual(OPENS_AT);
    expect(events('scale')).toContain('1 -> 3: schedule "evening-peak" opened (min 3 until 22:25)');
    expect(plane.snapshot().policy.schedule).toEqual({ open: 'schedule "evening-peak" open (min 3 until 22:25)', next: null });
    expect(plane.snapshot().policy.windows).toContainEqual({ name: 'evening-peak', start: OPENS_AT, end: OPENS_AT + 600_000 });
    expect(plane.snapshot().policy.range).toEqual({ minReplicas: 3, maxReplicas: 10 });
    // A hand under the window's min is held at the min.
    await plane.scale({ replicas: 1 });
    expect(plane.snapshot().desired).toBe(3);
  });

  it('tells an opening that changes nothing as a schedule event', async () => {
    const { clock, events } = await startPlane({ schedules: [soon] }, 4);
    await clock.until(() => events('schedule').length > 0, 'the schedule event', { maxMs: 120_000 });
    expect(events('schedule')).toEqual(['schedule "evening-peak" opened (min 3 until 22:25); 4 replicas within 3..10']);
  });

  it('moves the count at once when a window that is open now is added', async () => {
    const { plane, clock, events } = await startPlane({}, 1);
    await clock.advance(2000);
    const open = { ...soon, cron: '* * * * *', durationMin: 5 };
    await plane.updateSettings({ schedules: [open] });
    expect(plane.snapshot().desired).toBe(3);
    expect(events('scale').at(-1)).toBe('1 -> 3: the replica range is now 3..10');
  });
});

describe('the windows of the past on the chart', () => {
  it('are read back from the event log after a restart', async () => {
    const first = await startPlane({ schedules: [soon] }, 1);
    await first.clock.until(() => first.events('schedule').some((line) => /closed/.test(line)), 'the window closing', { maxMs: 900_000 });
    const closedAt = first.plane.snapshot().events.find((e) => e.kind === 'schedule' && /closed/.test(e.message))!.at;
    const restartAt = first.clock.now() + 60_000;
    await first.clock.run(first.plane.shutdown({ keepRunning: false }), 'the shutdown');
    planes.stopped();

    const second = await startPlane({ schedules: [soon] }, 1, { dataDir: first.dataDir, at: restartAt });
    await second.clock.until(() => second.plane.snapshot().policy.windows.length === 2, 'the past window read back');
    const [past, next] = second.plane.snapshot().policy.windows;
    expect(past).toMatchObject({ name: 'evening-peak', end: closedAt });
    expect(past!.start - OPENS_AT).toBeGreaterThanOrEqual(0);
    expect(past!.start - OPENS_AT).toBeLessThanOrEqual(1000);
    expect(next).toEqual({ name: 'evening-peak', start: OPENS_AT + 86_400_000, end: OPENS_AT + 86_400_000 + 600_000 });
  });
});

describe('pauses in the running service', () => {
  it('pauseScaleOut keeps a window from raising the count and says what it would do', async () => {
    const { plane, clock } = await startPlane({ schedules: [soon], pauseScaleOut: true }, 1);
    await clock.advance(OPENS_AT - clock.now() + 3000);
    expect(plane.snapshot().desired).toBe(1);
    expect(plane.snapshot().policy.waitingFor).toMatch(/^would scale out to 3: paused \(schedule "evening-peak" open/);
  });

  it('pauseScaleOut still lets a waiting request wake a replica from zero, and a person scale by hand', async () => {
    const { plane, clock, lb, events } = await startPlane({ minReplicas: 0, pauseScaleOut: true }, 0);
    lb.held = 1;
    await clock.until(() => plane.snapshot().desired === 1, 'the wake');
    expect(events('scale')).toContain('0 -> 1: 1 request waiting in HAProxy with no replica');
    lb.held = 0;
    await plane.scale({ replicas: 3 });
    expect(plane.snapshot().desired).toBe(3);
  });
});
