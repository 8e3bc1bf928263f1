// Specification of the what-if replay: it reproduces the live run under unchanged settings, and prices other ones.
import { describe, expect, it } from 'vitest';
import { replay, summarize } from '../../../electron/core/policy/replay.js';
import { measureActuationMs } from '../../../electron/core/policy/load-model.js';
import { defaultSettings, parseSettings, type Settings } from '../../../electron/contract/settings-schema.js';
import { loadStep, recordLiveRun } from './recorded-run.js';

const live: Settings = { ...defaultSettings };
const step = loadStep(80, 420, 120, 420);
/** Load that climbs and falls in stairs, so every kind of change (up, down, several in a row) happens. */
const stairs = (second: number): number => [80, 420, 250, 600, 120, 300, 60][Math.floor(second / 130)] ?? 60;

/** The instants where the replayed count changes. */
function replayedChanges(series: { at: number; desired: number }[], initial: number): number[] {
  const at: number[] = [];
  let previous = initial;
  for (const point of series) {
    if (point.desired !== previous) at.push(point.at);
    previous = point.desired;
  }
  return at;
}

describe('replaying a recorded run with unchanged settings', () => {
  it.each([
    ['replica CPU, default settings', live],
    ['replica CPU, no warm-up', parseSettings({ ...live, warmupS: 0 })],
    ['requests per replica', parseSettings({ ...live, metric: 'rps-per-replica', scaleUpThreshold: 150, scaleDownThreshold: 60 })],
    ['host CPU', parseSettings({ ...live, metric: 'host-cpu', scaleUpThreshold: 40, scaleDownThreshold: 20 })],
    ['target tracking', parseSettings({ ...live, policy: 'target', targetValue: 60 })],
  ])('reproduces the live scale decisions (%s): same count, each within one sample', (_name, settings) => {
    const { samples, decisions } = recordLiveRun({ settings, load: stairs, seconds: 900, initial: 2 });
    expect(decisions.length).toBeGreaterThan(3);
    const result = replay({ samples, live: settings, settings });
    const replayed = replayedChanges(result.series, samples[0]!.desired);
    expect(replayed.length).toBe(decisions.length);
    replayed.forEach((at, i) => expect(Math.abs(at - decisions[i]!.at)).toBeLessThanOrEqual(1000));
    expect(result.summary.scaleEvents).toBe(decisions.length);
    expect(result.actual.scaleEvents).toBe(decisions.length);
    expect(result.summary.peakReplicas).toBe(result.actual.peakReplicas);
  });

  it('measures the actuation time from the record: median of decision -> ready', () => {
    const { samples } = recordLiveRun({ settings: live, load: step, seconds: 900, initial: 2, actuationMs: () => 2000 });
    expect(measureActuationMs(samples)).toBe(2000);
    expect(replay({ samples, live, settings: live }).model).toMatch(/2\.0 s \(measured/);
  });
});

describe('pricing other settings on a recorded load step', () => {
  const { samples } = recordLiveRun({ settings: live, load: step, seconds: 900, initial: 2 });
  const whatIf = (patch: Partial<Settings>) => replay({ samples, live, settings: parseSettings({ ...live, ...patch }) });

  it('clearly lower thresholds cost more replica-seconds than the live run', () => {
    const result = whatIf({ scaleUpThreshold: 40, scaleDownThreshold: 15 });
    expect(result.summary.replicaSeconds).toBeGreaterThan(result.actual.replicaSeconds * 1.1);
  });

  it('clearly higher thresholds cost fewer replica-seconds, and spend more time above the threshold than lower ones', () => {
    const higher = whatIf({ scaleUpThreshold: 95, scaleDownThreshold: 60 });
    expect(higher.summary.replicaSeconds).toBeLessThan(higher.actual.replicaSeconds * 0.9);
    expect(higher.summary.peakReplicas).toBeLessThan(higher.actual.peakReplicas);
  });

  it('answers the model in one sentence and an empty range with zeros', () => {
    const empty = replay({ samples: [], live, settings: live });
    expect(empty.series).toEqual([]);
    expect(empty.summary).toEqual({ replicaSeconds: 0, secondsAboveUp: 0, scaleEvents: 0, peakReplicas: 0 });
    expect(empty.model).toMatch(/conserved and divided by the replayed count/);
  });
});

describe('summaries', () => {
  it('count a gap in the record (the app was down) as at most a minute, and a rolled-up minute in full', () => {
    const points = [
      { at: 0, desired: 2, metric: 50 },
      { at: 1000, desired: 2, metric: 90 },
      { at: 601_000, desired: 3, metric: 90 },
      { at: 661_000, desired: 3, metric: 10 },
    ];
    expect(summarize(points, 70, 1000)).toEqual({ replicaSeconds: 2 + 2 * 60 + 3 * 60 + 3, secondsAboveUp: 60 + 60, scaleEvents: 1, peakReplicas: 3 });
  });
});
