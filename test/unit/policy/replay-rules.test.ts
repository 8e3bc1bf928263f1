// Specification of the what-if replay with several rules: each rule reads its own recorded metric, latency and
// memory follow the record, and the model sentence says so.
import { describe, expect, it } from 'vitest';
import { replay } from '../../../electron/core/policy/replay.js';
import { applySettingsPatch, defaultSettings, type ScalingRule } from '../../../electron/contract/settings-schema.js';
import { loadStep, recordLiveRun } from './recorded-run.js';
import { T0 } from './simulated-clock.js';

const live = applySettingsPatch(defaultSettings, { breachSamples: 2 });
const cpuRule = live.rules[0] as ScalingRule;
const latencyRule: ScalingRule = { metric: 'latency-p95', scaleUpThreshold: 200, scaleDownThreshold: 100, targetValue: 100 };

/** A run on steady CPU load, with a latency spike from 300 s to 360 s recorded beside it. */
function recordWithLatencySpike() {
  const { samples } = recordLiveRun({ settings: live, load: loadStep(80, 80, 0, 0), seconds: 600, initial: 2 });
  return samples.map((sample) => {
    const second = (sample.at - T0) / 1000;
    return { ...sample, latencyP95Ms: second >= 300 && second < 360 ? 450 : 30 };
  });
}

describe('replaying several rules', () => {
  it('scales up where a latency rule would have fired, though the live CPU-only run never moved', () => {
    const samples = recordWithLatencySpike();
    const result = replay({ samples, live, settings: applySettingsPatch(live, { rules: [cpuRule, latencyRule] }) });
    expect(result.actual.scaleEvents).toBe(0);
    const firstUp = result.series.find((point) => point.desired > samples[0]!.desired);
    expect(firstUp).toBeDefined();
    expect((firstUp!.at - T0) / 1000).toBeGreaterThanOrEqual(300);
    expect((firstUp!.at - T0) / 1000).toBeLessThan(310);
    expect(result.summary.replicaSeconds).toBeGreaterThan(result.actual.replicaSeconds);
  });

  it('reproduces the live run when the added rule never crosses a threshold', () => {
    const samples = recordWithLatencySpike();
    const quiet: ScalingRule = { ...latencyRule, scaleUpThreshold: 5000, scaleDownThreshold: 1000 };
    const result = replay({ samples, live, settings: applySettingsPatch(live, { rules: [cpuRule, quiet] }) });
    expect(result.series.map((p) => p.desired)).toEqual(replay({ samples, live, settings: live }).series.map((p) => p.desired));
  });

  it('states that latency and memory follow the record', () => {
    const samples = recordWithLatencySpike();
    const memoryRule: ScalingRule = { metric: 'replica-memory', scaleUpThreshold: 80, scaleDownThreshold: 20, targetValue: 60 };
    const { model } = replay({ samples, live, settings: applySettingsPatch(live, { rules: [cpuRule, latencyRule, memoryRule] }) });
    expect(model).toMatch(/^the recorded replica CPU total .* conserved and divided by the replayed count; p95 latency, replica memory, host CPU follow the record/);
  });
});
