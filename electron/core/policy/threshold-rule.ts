// The threshold strategy (the sliders): step up when any rule stays above its up-threshold, down only when every
// rule stays below its down-threshold, each for enough consecutive samples.
import type { Settings } from '../../contract/settings-schema.js';
import { formatMetric } from './metric.js';
import { clampReplicas, type PolicyState, type Proposal, type RuleReading } from './state.js';

const samples = (n: number): string => (n === 1 ? '1 sample' : `${n} samples`);

const above = (r: RuleReading): r is RuleReading & { value: number } => r.value !== null && r.value > r.rule.scaleUpThreshold;
const below = (r: RuleReading): boolean => r.value !== null && r.value < r.rule.scaleDownThreshold;

export function thresholdProposal(input: {
  readings: RuleReading[];
  current: number;
  settings: Settings;
  state: PolicyState;
}): Proposal {
  const { readings, current, settings } = input;
  // A missing reading is no evidence of low load, so it breaks the scale-down streak; it neither adds to nor breaks
  // its rule's scale-up streak, so a flaky reading cannot hold off a needed scale-up forever.
  const breachUp = readings.map((r, i) => (r.value === null ? (input.state.breachUp[i] ?? 0) : above(r) ? (input.state.breachUp[i] ?? 0) + 1 : 0));
  const allBelow = readings.every(below);
  const breachDown = allBelow ? input.state.breachDown + 1 : 0;
  const state = { ...input.state, breachUp, breachDown, recommendations: [] };
  const unchanged = { desired: current, why: '', state };

  // The rule furthest into its streak speaks for the scale-up (the first of equals, so reasons are stable).
  let leader = -1;
  readings.forEach((r, i) => {
    if (above(r) && (leader < 0 || (breachUp[i] as number) > (breachUp[leader] as number))) leader = i;
  });
  if (leader >= 0) {
    const reading = readings[leader] as RuleReading & { value: number };
    const streak = breachUp[leader] as number;
    const { label, rule } = reading;
    const exceeds = `${label} ${formatMetric(reading.value, rule)} > ${formatMetric(rule.scaleUpThreshold, rule)}`;
    // At the top of the range the streak cannot lead anywhere: the range is what holds, say so at once.
    const desired = clampReplicas(current + settings.step, settings);
    if (desired <= current) {
      return { ...unchanged, hold: { kind: 'bound', direction: 'up', message: `scale-up: ${exceeds}, but maxReplicas is ${settings.maxReplicas}` } };
    }
    if (streak < settings.breachSamples) {
      return { ...unchanged, hold: { kind: 'breach', direction: 'up', message: `scale-up: ${exceeds} for ${streak} of ${samples(settings.breachSamples)}` } };
    }
    const capped = current + settings.step > desired ? ` (maxReplicas is ${settings.maxReplicas})` : '';
    return { desired, why: `${exceeds} for ${samples(streak)}${capped}`, state };
  }
  if (allBelow) {
    const under = readings
      .map((r) => `${r.label} ${formatMetric(r.value as number, r.rule)} < ${formatMetric(r.rule.scaleDownThreshold, r.rule)}`)
      .join(', ');
    const desired = clampReplicas(current - settings.step, settings);
    if (desired >= current) {
      return { ...unchanged, hold: { kind: 'bound', direction: 'down', message: `scale-down: ${under}, but minReplicas is ${settings.minReplicas}` } };
    }
    if (breachDown < settings.breachSamples) {
      return { ...unchanged, hold: { kind: 'breach', direction: 'down', message: `scale-down: ${under} for ${breachDown} of ${samples(settings.breachSamples)}` } };
    }
    const floored = current - settings.step < desired ? ` (minReplicas is ${settings.minReplicas})` : '';
    return { desired, why: `${under} for ${samples(breachDown)}${floored}`, state };
  }
  return unchanged;
}
