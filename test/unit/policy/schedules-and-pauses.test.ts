// Specification of schedule windows and pauses in the policy: windows raise the range and say so, a paused direction
// says what it would do and never acts, and the what-if replay does the same over a record.
import { describe, expect, it } from 'vitest';
import { decide, initialPolicyState, type PolicyState } from '../../../electron/core/policy.js';
import { replay } from '../../../electron/core/policy/replay.js';
import { ScheduleTimeline, type ScheduleWindow } from '../../../electron/core/schedule/schedule-timeline.js';
import { defaultSettings, parseSettings, type Settings } from '../../../electron/contract/settings-schema.js';
import { observe, policySettings } from './simulated-clock.js';
import { recordLiveRun } from './recorded-run.js';

const NOON = Date.parse('2026-12-07T09:00:00Z');
const morning = { name: 'weekday-morning', cron: '0 9 * * 1-5', durationMin: 180, minReplicas: 4, timezone: 'UTC' };

/** Feeds one sample per minute from `from`, with the windows the timeline opens, carrying count and state along. */
function run(settings: Settings, options: { from: number; minutes: number; current: number; load: number; state?: PolicyState }) {
  const timeline = new ScheduleTimeline(settings.schedules);
  let current = options.current;
  let state = options.state ?? initialPolicyState();
  const log: { at: number; desired: number; reason: string | null; notes: string[]; hold: string | null }[] = [];
  for (let i = 0; i < options.minutes; i++) {
    const now = options.from + i * 60_000;
    const decision = decide({ observation: observe(options.load, current), current, settings, now, state, open: timeline.at(now).open });
    log.push({ at: now, desired: decision.desired, reason: decision.reason, notes: decision.notes, hold: decision.hold?.message ?? null });
    current = decision.desired;
    state = decision.state;
  }
  return log;
}

describe('a schedule window in the policy', () => {
  const settings = policySettings({ schedules: [morning], breachSamples: 1 });

  it('raises the count to its min when it opens, naming the window and when it ends', () => {
    const log = run(settings, { from: NOON - 120_000, minutes: 4, current: 2, load: 50 });
    expect(log.map((l) => l.desired)).toEqual([2, 2, 4, 4]);
    expect(log[2]?.reason).toBe('2 -> 4: schedule "weekday-morning" opened (min 4 until 12:00)');
    expect(log[2]?.notes).toEqual([]);
  });

  it('tells a window that opens without changing the count as a note, and its closing likewise', () => {
    const log = run(settings, { from: NOON - 60_000, minutes: 2, current: 6, load: 50 });
    expect(log[1]).toMatchObject({ desired: 6, reason: null, notes: ['schedule "weekday-morning" opened (min 4 until 12:00); 6 replicas within 4..10'] });
    const closing = run(settings, { from: NOON + 179 * 60_000, minutes: 2, current: 4, load: 50, state: { ...initialPolicyState(), openWindows: ['weekday-morning'] } });
    expect(closing[1]).toMatchObject({ desired: 4, notes: ['schedule "weekday-morning" closed (range back to 1..10); 4 replicas within 1..10'] });
  });

  it('lets the rules scale out above the window\'s min, and not in below it while it is open', () => {
    const busy = run(settings, { from: NOON, minutes: 3, current: 2, load: 95 });
    expect(busy.map((l) => l.desired)).toEqual([4, 5, 6]);
    const idle = run(settings, { from: NOON, minutes: 5, current: 6, load: 5 });
    expect(idle.map((l) => l.desired)).toEqual([5, 4, 4, 4, 4]);
    expect(idle[3]?.hold).toMatch(/minReplicas is 4/);
  });

  it('leaves the count to the rules once it closes: the scale-in happens only from then', () => {
    const log = run(settings, { from: NOON + 178 * 60_000, minutes: 4, current: 4, load: 5 });
    expect(log.map((l) => l.desired)).toEqual([4, 4, 3, 2]);
  });

  it('with overlapping windows, the highest min wins, and a window max lets the rules go past the settings\' max', () => {
    const overlapping = policySettings({
      breachSamples: 1,
      maxReplicas: 5,
      schedules: [morning, { name: 'launch', cron: '0 9 7 12 *', durationMin: 60, minReplicas: 7, maxReplicas: 9, timezone: 'UTC' }],
    });
    const log = run(overlapping, { from: NOON, minutes: 4, current: 2, load: 95 });
    expect(log[0]?.reason).toBe('2 -> 7: schedule "launch" opened (min 7, max 9 until 10:00)');
    expect(log[0]?.notes).toEqual(['schedule "weekday-morning" opened (min 4 until 12:00); 7 replicas within 7..9']);
    expect(log.map((l) => l.desired)).toEqual([7, 8, 9, 9]);
  });

  it('brings a count above the range back when a window with a max closes', () => {
    const wide = policySettings({ maxReplicas: 5, schedules: [{ name: 'peak', cron: '0 9 * * *', durationMin: 60, maxReplicas: 12, timezone: 'UTC' }] });
    const log = run(wide, { from: NOON + 59 * 60_000, minutes: 2, current: 11, load: 50, state: { ...initialPolicyState(), openWindows: ['peak'] } });
    expect(log.map((l) => [l.desired, l.reason])).toEqual([[11, null], [5, '11 -> 5: schedule "peak" closed (range back to 1..5)']]);
  });
});

describe('a pause per direction', () => {
  it('pauseScaleIn: says what it would do, keeps the count, and scale-out still acts', () => {
    const settings = policySettings({ pauseScaleIn: true, breachSamples: 1 });
    const idle = decide({ observation: observe(5, 3), current: 3, settings, now: NOON, state: initialPolicyState() });
    expect(idle).toMatchObject({ desired: 3, reason: null, hold: { kind: 'paused', direction: 'down' } });
    expect(idle.hold?.message).toMatch(/^would scale in to 2: paused \(replica CPU 5% < 30% for 1 sample\)$/);
    const busy = decide({ observation: observe(95, 3), current: 3, settings, now: NOON, state: initialPolicyState() });
    expect(busy).toMatchObject({ desired: 4, hold: null });
  });

  it('pauseScaleOut: says what it would do, keeps the count, and scale-in still acts', () => {
    const settings = policySettings({ pauseScaleOut: true, breachSamples: 1 });
    const busy = decide({ observation: observe(95, 3), current: 3, settings, now: NOON, state: initialPolicyState() });
    expect(busy).toMatchObject({ desired: 3, reason: null, hold: { kind: 'paused', direction: 'up', message: 'would scale out to 4: paused (replica CPU 95% > 70% for 1 sample)' } });
    const idle = decide({ observation: observe(5, 3), current: 3, settings, now: NOON, state: initialPolicyState() });
    expect(idle.desired).toBe(2);
  });

  it('pauseScaleOut holds a window\'s raise too, and the window acts as soon as the pause is lifted', () => {
    const paused = policySettings({ pauseScaleOut: true, schedules: [morning] });
    const [held] = run(paused, { from: NOON, minutes: 1, current: 2, load: 50 });
    expect(held).toMatchObject({ desired: 2, reason: null });
    expect(held?.hold).toBe('would scale out to 4: paused (schedule "weekday-morning" opened (min 4 until 12:00))');
    expect(held?.notes).toEqual(['schedule "weekday-morning" opened (min 4 until 12:00); would scale out to 4: paused (schedule "weekday-morning" opened (min 4 until 12:00))']);
    const lifted = run({ ...paused, pauseScaleOut: false }, { from: NOON + 60_000, minutes: 1, current: 2, load: 50, state: { ...initialPolicyState(), openWindows: ['weekday-morning'] } });
    expect(lifted[0]?.reason).toBe('2 -> 4: schedule "weekday-morning" open (min 4 until 12:00)');
  });

  it('keeps a paused rule\'s streak, so it acts on the first sample after the pause ends', () => {
    const settings = policySettings({ pauseScaleOut: true, breachSamples: 3 });
    let state = initialPolicyState();
    for (let i = 0; i < 3; i++) state = decide({ observation: observe(95, 2), current: 2, settings, now: NOON + i * 1000, state }).state;
    const after = decide({ observation: observe(95, 2), current: 2, settings: { ...settings, pauseScaleOut: false }, now: NOON + 3000, state });
    expect(after.desired).toBe(3);
  });
});

describe('what-if with schedules and pauses', () => {
  const live: Settings = { ...defaultSettings, scaleDownCooldownS: 0 };
  // An hour of steady low load, recorded from 08:30 UTC.
  const { samples } = recordLiveRun({ settings: live, load: () => 20, seconds: 3600, initial: 2, intervalMs: 5000 });
  const shifted = samples.map((s, i) => ({ ...s, at: Date.parse('2026-12-07T08:30:00Z') + i * 5000 }));

  it('replays a patched window: the count rises at its start and falls back after its end', () => {
    const window = { name: 'half-hour', cron: '0 9 * * *', durationMin: 15, minReplicas: 5, timezone: 'UTC' };
    const result = replay({ samples: shifted, live, settings: parseSettings({ ...live, schedules: [window] }) });
    const at = (iso: string) => result.series.find((p) => p.at >= Date.parse(iso))!;
    expect(at('2026-12-07T08:59:00Z').desired).toBeLessThan(5);
    expect(at('2026-12-07T09:00:00Z').desired).toBe(5);
    expect(at('2026-12-07T09:14:55Z').desired).toBe(5);
    expect(at('2026-12-07T09:29:00Z').desired).toBeLessThan(5);
    expect(result.summary.peakReplicas).toBe(5);
    expect(result.summary.replicaSeconds).toBeGreaterThan(result.actual.replicaSeconds);
  });

  it('replays a pause: with pauseScaleIn the count never falls', () => {
    const result = replay({ samples: shifted, live, settings: parseSettings({ ...live, pauseScaleIn: true }) });
    const unpaused = replay({ samples: shifted, live, settings: live });
    expect(Math.min(...unpaused.series.map((p) => p.desired))).toBeLessThan(2);
    expect(result.series.every((p) => p.desired >= 2)).toBe(true);
  });
});

describe('the open windows given to the policy', () => {
  it('are optional: without them the range is the settings\' own', () => {
    const window: ScheduleWindow = { name: 'w', start: NOON, end: NOON + 1, minReplicas: 3, timezone: 'UTC' };
    const settings = policySettings({});
    expect(decide({ observation: observe(50), current: 1, settings, now: NOON, state: initialPolicyState() }).desired).toBe(1);
    expect(decide({ observation: observe(50), current: 1, settings, now: NOON, state: initialPolicyState(), open: [window] }).desired).toBe(3);
  });
});
