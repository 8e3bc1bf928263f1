// The autoscaling step: each sample goes through the pure policy, and a change goes to the replica target.
import type { Sample } from '../contract.js';
import type { Settings } from '../settings-schema.js';
import { decide, initialPolicyState, type PolicyObservation, type PolicyState } from './policy.js';
import type { ReplicaTarget } from './replica-target.js';
import type { ReplicaStats } from './replicas/replica-driver.js';
import type { TrackedReplica } from './controller.js';

/** What the policy sees of one moment: the sample's figures, and each replica's state, age and CPU. */
export function observationOf(replicas: TrackedReplica[], stats: Map<string, ReplicaStats | null>, sample?: Sample): PolicyObservation {
  return {
    hostCpu: sample?.hostCpu ?? null,
    rps: sample?.rps ?? null,
    replicas: replicas.map((r) => ({ state: r.state, startedAt: r.startedAt, cpuPercent: stats.get(r.id)?.cpuPercent ?? null })),
  };
}

export class Autoscaler {
  private state: PolicyState = initialPolicyState();

  constructor(
    private readonly target: ReplicaTarget,
    private readonly settings: () => Settings,
    private readonly observe: (sample: Sample) => PolicyObservation,
  ) {}

  /** Streaks and windows start over (a mode switch, a person's hand on the count). */
  reset(): void {
    this.state = initialPolicyState();
  }

  onSample(sample: Sample): void {
    const current = this.target.desired;
    const decision = decide({ observation: this.observe(sample), current, settings: this.settings(), now: sample.at, state: this.state });
    this.state = decision.state;
    if (decision.desired !== current) this.target.scale(decision.desired, { kind: 'policy', reason: decision.reason ?? `${current} -> ${decision.desired}` });
  }
}
