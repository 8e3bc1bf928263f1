// The threshold strategy (the sliders): step up or down after enough consecutive samples beyond a threshold.
import type { Settings } from '../../settings-schema.js';
import { formatMetric } from './metric.js';
import { clampReplicas, type PolicyState, type Proposal } from './state.js';

const samples = (n: number): string => (n === 1 ? '1 sample' : `${n} samples`);

export function thresholdProposal(input: {
  metric: number | null;
  label: string;
  current: number;
  settings: Settings;
  state: PolicyState;
}): Proposal {
  const { metric, label, current, settings } = input;
  let { breachUp, breachDown } = input.state;
  if (metric === null) {
    // A missing sample is no evidence of low load, so it breaks a scale-down streak; it neither adds to nor
    // breaks a scale-up streak, so a flaky reading cannot hold off a needed scale-up forever.
    breachDown = 0;
  } else if (metric > settings.scaleUpThreshold) {
    breachUp += 1;
    breachDown = 0;
  } else if (metric < settings.scaleDownThreshold) {
    breachDown += 1;
    breachUp = 0;
  } else {
    breachUp = 0;
    breachDown = 0;
  }
  const state = { ...input.state, breachUp, breachDown, recommendations: [] };
  const unchanged = { desired: current, why: '', state };
  if (metric === null) return unchanged;

  const value = formatMetric(metric, settings);
  if (breachUp > 0) {
    const threshold = formatMetric(settings.scaleUpThreshold, settings);
    // At the top of the range the streak cannot lead anywhere: the range is what holds, say so at once.
    const desired = clampReplicas(current + settings.step, settings);
    if (desired <= current) {
      const message = `scale-up: ${label} ${value} > ${threshold}, but maxReplicas is ${settings.maxReplicas}`;
      return { ...unchanged, hold: { kind: 'bound', direction: 'up', message } };
    }
    if (breachUp < settings.breachSamples) {
      const message = `scale-up: ${label} ${value} > ${threshold} for ${breachUp} of ${samples(settings.breachSamples)}`;
      return { ...unchanged, hold: { kind: 'breach', direction: 'up', message } };
    }
    const capped = current + settings.step > desired ? ` (maxReplicas is ${settings.maxReplicas})` : '';
    return { desired, why: `${label} ${value} > ${threshold} for ${samples(breachUp)}${capped}`, state };
  }
  if (breachDown > 0) {
    const threshold = formatMetric(settings.scaleDownThreshold, settings);
    const desired = clampReplicas(current - settings.step, settings);
    if (desired >= current) {
      const message = `scale-down: ${label} ${value} < ${threshold}, but minReplicas is ${settings.minReplicas}`;
      return { ...unchanged, hold: { kind: 'bound', direction: 'down', message } };
    }
    if (breachDown < settings.breachSamples) {
      const message = `scale-down: ${label} ${value} < ${threshold} for ${breachDown} of ${samples(settings.breachSamples)}`;
      return { ...unchanged, hold: { kind: 'breach', direction: 'down', message } };
    }
    const floored = current - settings.step < desired ? ` (minReplicas is ${settings.minReplicas})` : '';
    return { desired, why: `${label} ${value} < ${threshold} for ${samples(breachDown)}${floored}`, state };
  }
  return unchanged;
}
