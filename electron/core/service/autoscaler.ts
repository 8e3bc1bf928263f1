// The autoscaling step: each sample goes through the pure policy, a change goes to the replica target, and what
// held a change back goes to the event log (collapsed) and to "what it is waiting for".
import type { Sample } from '../../contract/contract.js';
import type { Settings } from '../../contract/settings-schema.js';
import { forecastStep, type ForecastFloor } from '../forecast/forecast-scale.js';
import { decide, initialPolicyState, type PolicyObservation, type PolicyState } from '../policy.js';
import { HoldLog } from '../policy/hold-log.js';
import type { LiveSchedule } from '../schedule/live-schedule.js';
import type { ReplicaTarget } from './replica-target.js';
import type { ReplicaStats } from '../replicas/replica-driver.js';
import type { TrackedReplica } from './tracked-replicas.js';

/** What the policy sees of one moment: the sample's figures, and each replica's state, age, CPU and memory. */
export function observationOf(replicas: TrackedReplica[], stats: Map<string, ReplicaStats | null>, sample?: Sample): PolicyObservation {
  return {
    hostCpu: sample?.hostCpu ?? null,
    rps: sample?.rps ?? null,
    latencyP95Ms: sample?.latencyP95Ms ?? null,
    replicas: replicas.map((r) => {
      const read = stats.get(r.id);
      return { state: r.state, startedAt: r.startedAt, cpuPercent: read?.cpuPercent ?? null, memBytes: read?.memBytes ?? null };
    }),
  };
}

export class Autoscaler {
  private state: PolicyState = initialPolicyState();
  private readonly holds = new HoldLog();

  constructor(
    private readonly target: ReplicaTarget,
    private readonly settings: () => Settings,
    private readonly observe: (sample: Sample) => PolicyObservation,
    /** Gets one line per run of the same hold when it ends: "held 14 s: scale-down cooldown 30 s, 16 s left". */
    private readonly onHoldEnded: (line: string) => void = () => undefined,
    /** The floor the forecast puts under the count (`forecast: "scale"`), or null. */
    private readonly forecastFloor: (now: number) => ForecastFloor | null = () => null,
    /** The schedule windows of the service, and where a window that opened or closed without a change is told. */
    private readonly schedule?: { windows: LiveSchedule; onNote: (line: string) => void },
  ) {}

  /** What the policy is holding back for at the latest sample, or null. */
  get waitingFor(): string | null {
    return this.holds.waitingFor;
  }

  /** Reports the hold in progress as ended (on shutdown). */
  endHold(at: number): void {
    const line = this.holds.end(at);
    if (line) this.onHoldEnded(line);
  }

  /** Streaks and windows start over (a mode switch, a person's hand on the count). */
  reset(): void {
    // Which windows are open is no streak: kept, so a mode switch does not announce them again.
    this.state = { ...initialPolicyState(), openWindows: this.state.openWindows ?? [] };
  }

  /** A change made outside the policy upwards (a wake from zero): the scale-down cooldown counts from it. */
  scaledUpAt(at: number): void {
    this.state = { ...this.state, breachDown: 0, lastScaleUpAt: at };
  }

  onSample(sample: Sample): void {
    const current = this.target.desired;
    const settings = this.settings();
    const step = forecastStep(this.forecastFloor(sample.at), settings, current);
    if ('scaleTo' in step) {
      this.scaledUpAt(sample.at);
      this.target.scale(step.scaleTo, { kind: 'policy', reason: step.reason });
      return;
    }
    const open = this.schedule?.windows.view(sample.at).open ?? [];
    const decision = decide({ observation: this.observe(sample), current, settings: step.settings, now: sample.at, state: this.state, open });
    this.state = decision.state;
    for (const note of decision.notes) this.schedule?.onNote(note);
    const held = this.holds.observe(decision.hold, sample.at);
    if (held) this.onHoldEnded(held);
    if (decision.desired !== current) this.target.scale(decision.desired, { kind: 'policy', reason: decision.reason ?? `${current} -> ${decision.desired}` });
  }
}
