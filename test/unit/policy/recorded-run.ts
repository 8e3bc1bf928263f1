// Records a live run the way the control plane does: a load curve over a fleet whose replicas become ready after an
// actuation delay, sampled every interval and driven through decide(); the record is what the replay reads.
import type { Sample } from '../../../electron/contract/contract.js';
import { decide, initialPolicyState } from '../../../electron/core/policy.js';
import type { Settings } from '../../../electron/contract/settings-schema.js';
import { T0 } from './simulated-clock.js';

export interface LiveDecision { at: number; from: number; to: number }

interface SimulatedReplica { startedAt: number; readyAt: number }

/** Total load in replica-CPU percent (100 = one replica's whole CPU limit), as a function of seconds since start. */
export type LoadCurve = (second: number) => number;

/** A step: `low` until `upAt` s, `high` until `downAt` s, then `low` again. */
export const loadStep = (low: number, high: number, upAt: number, downAt: number): LoadCurve =>
  (second) => (second >= upAt && second < downAt ? high : low);

export function recordLiveRun(options: {
  settings: Settings;
  load: LoadCurve;
  seconds: number;
  initial: number;
  intervalMs?: number;
  /** The actuation delay of the k-th replica started; varies around 2 s by default, as real starts do. */
  actuationMs?: (k: number) => number;
}): { samples: Sample[]; decisions: LiveDecision[] } {
  const { settings, load } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const actuation = options.actuationMs ?? ((k: number) => 1500 + ((k * 397) % 1000));
  const replicas: SimulatedReplica[] = Array.from({ length: options.initial }, () => ({ startedAt: T0 - 3_600_000, readyAt: T0 - 3_600_000 }));
  const samples: Sample[] = [];
  const decisions: LiveDecision[] = [];
  let desired = options.initial;
  let state = initialPolicyState();
  let started = 0;
  for (let at = T0; at < T0 + options.seconds * 1000; at += intervalMs) {
    const total = load((at - T0) / 1000);
    const ready = replicas.filter((r) => r.readyAt <= at);
    const counted = ready.filter((r) => at - r.startedAt >= settings.warmupS * 1000);
    const replicaCpu = counted.length === 0 ? null : total / counted.length;
    const rps = total * 2;
    const sample: Sample = {
      at, hostCpu: 10 + total / 8, replicaCpu, rps, rpsPerReplica: ready.length === 0 ? null : rps / ready.length,
      sessions: 0, queue: 0, http5xx: 0, responseTimeMs: 5, latencyP50Ms: 4, latencyP95Ms: 5, replicaMemory: 20, desired, ready: ready.length, total: replicas.length,
    };
    samples.push(sample);
    const observation = {
      hostCpu: sample.hostCpu,
      rps,
      replicas: replicas.map((r) => ({ state: r.readyAt <= at ? 'ready' as const : 'starting' as const, startedAt: r.startedAt, cpuPercent: replicaCpu })),
    };
    const decision = decide({ observation, current: desired, settings, now: at, state });
    state = decision.state;
    if (decision.desired !== desired) {
      decisions.push({ at, from: desired, to: decision.desired });
      while (replicas.length < decision.desired) replicas.push({ startedAt: at, readyAt: at + actuation(started++) });
      replicas.length = decision.desired;
      desired = decision.desired;
    }
  }
  return { samples, decisions };
}
