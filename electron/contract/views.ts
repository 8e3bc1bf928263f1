// What the control plane shows: a replica, a service, a sample, an event, the snapshot, a what-if replay, a forecast.
// Plain data, the same over IPC and over HTTP; contract.ts re-exports it with the commands that return it.
import type { Settings } from './settings-schema.js';

/** `standby`: started, healthy and registered in HAProxy but out of rotation, kept warm for the next scale-out. */
export type ReplicaState = 'starting' | 'ready' | 'standby' | 'draining' | 'stopping' | 'failed';

export interface ReplicaView {
  id: string;
  name: string;
  hostPort: number;
  state: ReplicaState;
  cpuPercent: number | null;
  memBytes: number | null;
  startedAt: number;
  /** What it is: its image tag and generation id (a hash of image, port, health path and limits), e.g. "latest 3fa2c1b0". */
  generation: string;
  /** Why a replica is `failed`, or why its stats cannot be read (e.g. a Swarm task on another node). */
  note?: string;
  /** Swarm only: the node the task runs on. */
  node?: string;
}

/** Replacing replicas of one generation by another; `paused` when a new version did not get ready. */
export interface RolloutView {
  state: 'idle' | 'running' | 'paused';
  /** The generation being replaced, as the replica table shows it; null when not known (e.g. after a restart). */
  from: string | null;
  to: string | null;
  /** Old replicas replaced so far, of `total`. */
  replaced: number;
  total: number;
  /** Why it paused, in words a person can act on. */
  reason: string | null;
  /** A rollback can restore the settings of the previous generation. */
  canRollBack: boolean;
}

/** One metrics sample; null where a figure could not be read this tick. */
export interface Sample {
  at: number;
  /** The service it measures (absent in samples recorded before services: those are the first service's). */
  service?: string;
  hostCpu: number | null;
  /** Mean CPU of ready, warmed-up replicas as % of their CPU limit. */
  replicaCpu: number | null;
  /** Frontend request rate (requests/s). */
  rps: number | null;
  rpsPerReplica: number | null;
  sessions: number | null;
  queue: number | null;
  /** Requests HAProxy holds because no replica is up (scale from zero); absent in samples older than the hold. */
  held?: number | null;
  http5xx: number | null;
  responseTimeMs: number | null;
  /** 50th and 95th percentile of HAProxy's per-request active time (%Ta) over the interval, ms; null when no request ended. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** Requests the percentiles come from: every request at low rates, a sample of them at high rates. */
  latencySampleSize?: number;
  /** Set when a p95 was withheld because it rests on too few requests, saying so. */
  latencyShortfall?: string | null;
  /** Mean memory in use of ready replicas, % of memoryLimitMb. */
  replicaMemory: number | null;
  desired: number;
  ready: number;
  total: number;
}

export type EventKind = 'scale' | 'hold' | 'schedule' | 'rollout' | 'replica' | 'haproxy' | 'docker' | 'settings' | 'mode' | 'load' | 'error' | 'info';

export interface ControlEvent {
  at: number;
  kind: EventKind;
  message: string;
  /** The service it concerns; absent for what concerns the whole app (HAProxy, Docker, load, start and stop). */
  service?: string;
}

export interface SetupCheck {
  id: 'docker' | 'haproxy' | 'image' | 'port';
  ok: boolean;
  /** What was found, e.g. "Docker 28.2.2" or "HAProxy 2.4 found". */
  message: string;
  /** What to do, when not ok: one or two lines a person can act on. */
  fix?: string;
}

export interface LoadStatus {
  running: boolean;
  rate: number;
  durationS: number;
  startedAt: number | null;
  sent: number;
  errors: number;
  non2xx: number;
}

/** One service as the overview and `GET /api/services` show it: what it runs, its count, its replicas, its policy. */
export interface ServiceView {
  name: string;
  /** The service's settings with the global ones (as `Snapshot.settings` for an app of one service). */
  settings: Settings;
  desired: number;
  replicas: ReplicaView[];
  frontendUrl: string;
  policy: Snapshot['policy'];
  rollout: RolloutView;
  /** Its latest sample, or null before the first. */
  sample: Sample | null;
  /** Its latest scale decision or hold, in words ("2 -> 3: replica CPU 81% > 70% for 3 samples"), or null. */
  lastReason: string | null;
  /** Whether getForecast has a forecast for it, and if not, why. */
  forecast: { available: boolean; reason: string | null };
  /** The Compose project it was applied from, when it was. */
  project?: string;
}

export interface Snapshot {
  /** Every service, in the order they were added; the fields below are the first one's (the only one, today). */
  services: ServiceView[];
  /** The mode is `settings.mode`: one value, one place. */
  settings: Settings;
  desired: number;
  replicas: ReplicaView[];
  haproxy: { running: boolean; version: string | null; frontendUrl: string; statsUrl: string };
  docker: { reachable: boolean; version: string | null };
  events: ControlEvent[];
  sample: Sample | null;
  checks: SetupCheck[];
  load: LoadStatus;
  imageBuild: { running: boolean; log: string[]; error: string | null };
  rollout: RolloutView;
  /** What the policy is holding back for right now ("scale-down cooldown 30 s, 16 s left"), or null. */
  policy: {
    waitingFor: string | null;
    /**
     * The open schedule windows (`schedule "x" open (min 4 until 12:00)`) and, when none is, the next one
     * (`next window "x" at Mon 09:00 (min 4 for 180 min)`); each null when there is none.
     */
    schedule: { open: string | null; next: string | null };
    /** The schedule windows seen open since start and the next one, for the replica chart to shade. */
    windows: ScheduleWindowView[];
    /** The replica range in force now: the settings' own, raised by open schedule windows. */
    range: { minReplicas: number; maxReplicas: number };
  };
  /** Whether getForecast has a forecast to give, and if not, why (so a page asks only when there is one). */
  forecast: { available: boolean; reason: string | null };
}

/** A schedule window's span, epoch ms. */
export interface ScheduleWindowView {
  name: string;
  start: number;
  end: number;
}

/** One instant of a what-if replay: the replayed count, the replicas serving, and the metric they would show. */
export interface WhatIfPoint {
  at: number;
  desired: number;
  ready: number;
  metric: number | null;
}

/** Cost, risk and churn of a run, real or replayed, over the same range. */
export interface WhatIfSummary {
  /** Sum of the desired count over time (cost). */
  replicaSeconds: number;
  /** Time with the metric above the (patched) scaleUpThreshold (risk). */
  secondsAboveUp: number;
  /** Changes of the desired count (churn). */
  scaleEvents: number;
  peakReplicas: number;
}

export interface WhatIfResult {
  series: WhatIfPoint[];
  summary: WhatIfSummary;
  actual: WhatIfSummary;
  /** The load model in one sentence, with the actuation time it used. */
  model: string;
}

/** The load forecast for the next 2 h, with how wrong the forecasts made so far turned out. */
export interface ForecastView {
  /**
   * What `points` forecast: the first rule's metric a replica count divides (`rps-per-replica`, `replica-cpu`), as total
   * work over all replicas, or `rps` (the request rate) when no rule scales on one.
   */
  metric: 'rps-per-replica' | 'replica-cpu' | 'rps';
  /** One point a minute: req/s, or replica CPU in % of one replica's limit summed over the replicas; low/high the usual error band. */
  points: { at: number; value: number; low?: number; high?: number }[];
  /** The count the rules would want for each minute's forecast load, inside the range. */
  replicas: { at: number; desired: number }[];
  /** Hours of history the forecast learnt from (24 to 168). */
  basedOnHours: number;
  madeAt: number;
  /** MAPE and the share of peak minutes under-forecast by more than 10 %, over the forecasts made live (null before any minute came due). */
  error: { mape: number | null; underPeakShare: number | null; compared: number };
}
