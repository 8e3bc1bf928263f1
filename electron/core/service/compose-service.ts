// Builds one service's parts: its replicas' driver, its HAProxy backend, its target, policy, controller, rollout,
// schedule, sampler, forecast and history. Called once per service by the composition root, and again when a service
// is added; what every service shares (the engine, HAProxy, the event stream, the clock) comes in `shared`.
import type Dockerode from 'dockerode';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SERVICE, type Settings } from '../../contract/settings-schema.js';
import type { ControlEvent } from '../../contract/contract.js';
import { FRONTEND_NAME } from '../../../haproxy/config.js';
import type { RuntimeClient } from '../../../haproxy/runtime-client.js';
import type { SharedRuntimeReads } from '../../../haproxy/shared-reads.js';
import { Autoscaler, observationOf } from './autoscaler.js';
import type { Clock } from '../clock.js';
import { Controller } from './controller.js';
import { ForecastService } from '../forecast/forecast-service.js';
import { BACKEND_NAME, HaproxyBackend, type HealthPathFile } from './haproxy-backend.js';
import { HistoryStore, RETENTION_MS } from '../history/history-store.js';
import type { LoadBalancer } from './load-balancer.js';
import type { LatencyPercentiles } from '../metrics/latency-window.js';
import { MetricsSampler, type TrafficStats } from '../metrics/sampler.js';
import { metricValue } from '../policy.js';
import { ReplicaTarget } from './replica-target.js';
import { createReplicaDriver, type DriverContext } from '../replicas/create-driver.js';
import { specOf } from '../replicas/generation.js';
import type { ReplicaDriver } from '../replicas/replica-driver.js';
import { Rollout } from './rollout.js';
import { rolloutRecordFile } from './rollout-record.js';
import { LiveSchedule } from '../schedule/live-schedule.js';
import { windowsFromEvents } from '../schedule/past-windows.js';
import { PRIVATE_DIR_MODE } from '../private-data-folder.js';
import type { ServiceSettings } from '../settings-store.js';
import { WakeOnRequest } from './wake-on-request.js';

/** How far back the replica chart's schedule windows are read from the event log: the history's whole span. */
const WEEK_MS = 7 * 86_400_000;

/** One service's parts, as the control plane drives them. */
export interface ServiceParts {
  name: string;
  store: ServiceSettings;
  /** Its HAProxy sections. */
  backend: string;
  frontend: string;
  driver: ReplicaDriver;
  lb: LoadBalancer & { traffic(): Promise<TrafficStats> };
  controller: Controller;
  target: ReplicaTarget;
  autoscaler: Autoscaler;
  schedule: LiveSchedule;
  waker: WakeOnRequest;
  rollout: Rollout;
  sampler: MetricsSampler;
  forecast: ForecastService;
  history: HistoryStore;
  /** An event about this service (it carries the service's name). */
  say: (kind: ControlEvent['kind'], message: string) => void;
}

/** What every service is built on. */
export interface ServiceFoundation {
  dataDir: string;
  clock: Clock;
  app: string;
  /** The data folder's hash: the instance label of the first service's replicas (a later one's adds its name). */
  instance: string;
  driverKind: Settings['driver'];
  dockerode: Dockerode;
  serverScript: string;
  client: () => RuntimeClient;
  /** HAProxy's per-tick answers, asked once for every service. */
  reads: SharedRuntimeReads;
  healthPaths: HealthPathFile;
  event: (kind: ControlEvent['kind'], message: string, service?: string) => void;
  publishSnapshot: () => void;
  /** The sample image is being built: a replica of it waits for the build instead of failing on a missing image. */
  createsWait: (settings: Settings) => boolean;
  hostCpu: () => Promise<number>;
  /** How far a service may scale out within the host's CPU budget (policy/host-budget.ts). */
  hostBudget: (service: string, from: number, to: number) => { allowed: number; reason: string | null };
  latency: (backend: string) => LatencyPercentiles;
  log?: (line: string) => void;
  /** Parts a test puts in place of the first service's real ones. */
  overrides?: { driver?: ReplicaDriver; lb?: LoadBalancer & { traffic(): Promise<TrafficStats> }; probeHealth?: (url: string) => Promise<string | null> };
}

/**
 * The HAProxy sections, replica folder and history of a service. The service `web` keeps the names and folders of
 * the one service from before services, so an upgraded app adopts its HAProxy servers, replicas and history.
 */
export function servicePlaces(dataDir: string, name: string): { backend: string; frontend: string; dir: string } {
  if (name === DEFAULT_SERVICE) return { backend: BACKEND_NAME, frontend: FRONTEND_NAME, dir: dataDir };
  return { backend: `svc_${name}`, frontend: `in_${name}`, dir: path.join(dataDir, 'services', name) };
}

export async function composeService(name: string, store: ServiceSettings, base: ServiceFoundation): Promise<ServiceParts> {
  const { clock } = base;
  const settings = () => store.settings;
  const places = servicePlaces(base.dataDir, name);
  mkdirSync(places.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const say = (kind: ControlEvent['kind'], message: string) => base.event(kind, message, name);
  const first = name === DEFAULT_SERVICE;
  const context: DriverContext = {
    app: base.app,
    instance: first ? base.instance : `${base.instance}-${name}`,
    docker: base.dockerode,
    dataDir: path.join(places.dir, 'replicas'),
    serverScript: base.serverScript,
    swarmService: settings().swarmService,
    ...(first ? {} : { service: name }),
    log: (line) => say('docker', line),
  };
  const overrides = first ? base.overrides ?? {} : {};
  const driver = overrides.driver ?? createReplicaDriver(base.driverKind, context);
  const lb = overrides.lb ?? new HaproxyBackend(base.client, places.backend, base.healthPaths, () => settings().slowStartS, base.reads);

  const runningAtStart = store.desired === null ? (await driver.list().catch(() => [])).filter((r) => r.running).length : undefined;
  let controller: Controller | null = null;
  const rollout = new Rollout({
    clock,
    spec: () => specOf(settings(), store.origin?.runtime),
    surge: () => settings().rolloutSurge,
    deadlineS: () => settings().rolloutDeadlineS,
    onEvent: say,
    onChange: base.publishSnapshot,
    store: rolloutRecordFile(places.dir),
    // Swarm replaces its tasks itself (its rolling update); the rollout hands it the spec and follows it.
    engine: driver.rolling,
  });
  const schedule = new LiveSchedule(settings);
  const target: ReplicaTarget = new ReplicaTarget({
    runningAtStart,
    store,
    range: () => schedule.range(clock.now()),
    budget: (from, to) => base.hostBudget(name, from, to),
    onEvent: say,
    apply: (n) => {
      controller!.setDesired(n);
      waker.follow();
      base.publishSnapshot();
    },
    onModeChanged: () => {
      autoscaler.reset();
      waker.follow();
    },
  });
  controller = new Controller({
    driver,
    lb,
    spec: () => specOf(settings(), store.origin?.runtime),
    drainTimeoutS: () => settings().drainTimeoutS,
    standby: () => (target.shuttingDown ? 0 : settings().standbyReplicas),
    desired: target.desired,
    onEvent: say,
    onChange: base.publishSnapshot,
    clock,
    probeHealth: overrides.probeHealth,
    rollout,
    createsWait: () => base.createsWait(settings()),
  });
  const replicas = () => controller!.replicas();
  const sampler = new MetricsSampler({
    hostCpu: base.hostCpu,
    replicaStats: (id) => driver.stats(id, specOf(settings(), store.origin?.runtime)),
    traffic: () => lb.traffic(),
    replicas,
    // The figure the dashboard charts is the policy's own reading of replica CPU (ready, warmed-up replicas).
    replicaCpu: (stats) => metricValue(observationOf(replicas(), stats), { ...settings(), metric: 'replica-cpu' }, clock.now()).value,
    replicaMemory: (stats) => metricValue(observationOf(replicas(), stats), { ...settings(), metric: 'replica-memory' }, clock.now()).value,
    latency: () => base.latency(places.backend),
    desired: () => target.desired,
  }, 3600, clock);
  const forecast = new ForecastService(settings, base.publishSnapshot);
  const autoscaler: Autoscaler = new Autoscaler(
    target, settings, (sample) => observationOf(replicas(), sampler.stats, sample), (line) => say('hold', line), (now) => forecast.floor(now),
    { windows: schedule, onNote: (line) => say('schedule', line) },
  );
  const waker = new WakeOnRequest({
    clock,
    heldRequests: () => lb.heldRequests(),
    desired: () => target.desired,
    mode: () => settings().mode,
    wake: (held) => {
      target.scale(1, { kind: 'wake', held });
      autoscaler.scaledUpAt(clock.now());
    },
  });
  const history = new HistoryStore({ dir: path.join(places.dir, 'history'), clock, log: base.log });
  await history.open().catch((error: unknown) => say('error', `history: ${(error as Error).message}`));
  // The chart shades the windows of the past week as the event log recorded them.
  void history.events(clock.now() - WEEK_MS, clock.now()).then((past) => schedule.remember(windowsFromEvents(past)), () => undefined);
  // The forecast learns the week on disk off the start's path; live samples meanwhile are kept and win over it.
  history.samples(clock.now() - RETENTION_MS, clock.now())
    .then((samples) => forecast.learn(samples, clock.now()))
    .catch((error: unknown) => say('error', `forecast: could not read the history: ${(error as Error).message}`));

  return { name, store, backend: places.backend, frontend: places.frontend, driver, lb, controller, target, autoscaler, schedule, waker, rollout, sampler, forecast, history, say };
}
