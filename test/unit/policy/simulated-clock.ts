// Drives the policy through a sequence of samples on a simulated clock, the way the controller does.
import { decide, initialPolicyState, type PolicyObservation, type PolicyReplica, type PolicyState } from '../../../electron/core/policy.js';
import { defaultSettings, RULE_FIELDS, type ScalingRule, type Settings } from '../../../electron/contract/settings-schema.js';

export const T0 = 1_700_000_000_000;

/**
 * Settings for policy tests: the defaults with no cooldowns or warm-up unless a test asks for them. Flat
 * metric/threshold overrides are shorthand for the first rule, as in a settings patch.
 */
export function policySettings(overrides: Partial<Settings> = {}): Settings {
  const flat = Object.fromEntries(RULE_FIELDS.filter((name) => overrides[name] !== undefined).map((name) => [name, overrides[name]]));
  const [first, ...others] = overrides.rules ?? defaultSettings.rules;
  const rules = [{ ...(first as ScalingRule), ...flat }, ...others];
  return {
    ...defaultSettings,
    scaleUpCooldownS: 0,
    scaleDownCooldownS: 0,
    scaleDownStabilizationS: 0,
    warmupS: 0,
    ...overrides,
    ...(rules[0] as ScalingRule),
    rules,
  };
}

/** `count` ready replicas started long before T0, each at `cpuPercent` CPU and that % of the default memory limit. */
export function readyReplicas(count: number, cpuPercent: number | null): PolicyReplica[] {
  const memBytes = cpuPercent === null ? null : (cpuPercent / 100) * defaultSettings.memoryLimitMb * 1024 * 1024;
  return Array.from({ length: count }, () => ({ state: 'ready' as const, startedAt: T0 - 3_600_000, cpuPercent, memBytes }));
}

/**
 * An observation where every metric reads `value`: host CPU, each replica's CPU and memory (% of the default limit),
 * rps per ready replica and p95 latency.
 */
export function observe(value: number | null, replicas = 2): PolicyObservation {
  return {
    hostCpu: value,
    rps: value === null ? null : value * replicas,
    latencyP95Ms: value,
    replicas: readyReplicas(replicas, value),
  };
}

export interface Step {
  at: number;
  desired: number;
  reason: string | null;
  metric: number | null;
}

/**
 * Feeds `values` one per `intervalMs`, starting at `start`, carrying desired and state forward.
 * The replica count in each observation follows the desired count, as if every change took effect at once.
 */
export function simulate(options: {
  settings: Settings;
  values: (number | null)[];
  current: number;
  intervalMs?: number;
  start?: number;
  state?: PolicyState;
}): { steps: Step[]; state: PolicyState; desired: number } {
  const intervalMs = options.intervalMs ?? 1000;
  let now = options.start ?? T0;
  let desired = options.current;
  let state = options.state ?? initialPolicyState();
  const steps: Step[] = [];
  for (const value of options.values) {
    const decision = decide({ observation: observe(value, desired), current: desired, settings: options.settings, now, state });
    steps.push({ at: now, desired: decision.desired, reason: decision.reason, metric: decision.metric });
    desired = decision.desired;
    state = decision.state;
    now += intervalMs;
  }
  return { steps, state, desired };
}

/** The reasons of the steps that changed the count, in order. */
export const changes = (steps: Step[]): string[] => steps.flatMap((step) => (step.reason === null ? [] : [step.reason]));
