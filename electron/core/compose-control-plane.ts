// The composition root: builds the control plane's parts from the data folder and settings, and wires them.
// It holds no behaviour; every effectful part can be replaced (tests pass fakes through `overrides`).
import Dockerode from 'dockerode';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { writeHoldScript } from '../../haproxy/request-hold.js';
import { closingAclPath, healthPathMapPath, requestLogSampleAclPath, type ConfiguredServer } from '../../haproxy/config.js';
import { findHaproxy } from '../../haproxy/find-haproxy.js';
import { haproxyVersion, checkHaproxy } from '../../haproxy/version.js';
import { DEFAULT_SERVICE, type Settings } from '../contract/settings-schema.js';
import { Autoscaler, observationOf } from './autoscaler.js';
import { ForecastService } from './forecast/forecast-service.js';
import { HistoryStore, RETENTION_MS } from './history/history-store.js';
import { systemClock, type Clock } from './clock.js';
import { ScaleDeckControlPlane, type ControlPlane, type DockerEngine, type HaproxyProcess } from './control-plane.js';
import { Controller } from './controller.js';
import { EventStream } from './event-stream.js';
import { BACKEND_NAME, HaproxyBackend } from './haproxy-backend.js';
import { haproxyConfigFor } from './haproxy-settings.js';
import { ImageBuildJob } from './image/image-build-job.js';
import { API_IMAGE_TAG, imageExists } from './image/image-builder.js';
import type { LoadBalancer } from './load-balancer.js';
import { LoadGenerator } from './load-generator.js';
import { HostCpu } from './metrics/host-cpu.js';
import type { LatencyPercentiles } from './metrics/latency-window.js';
import { RequestLogListener } from './metrics/request-log-listener.js';
import { RequestLogSampling } from './metrics/request-log-sampling.js';
import { RequestLogSecret } from '../../haproxy/request-log-secret.js';
import { MetricsSampler, type TrafficStats } from './metrics/sampler.js';
import { metricValue } from './policy.js';
import { describePortInUse, isPortFree } from './port-owner.js';
import { ReplicaTarget } from './replica-target.js';
import { LiveSchedule } from './schedule/live-schedule.js';
import { windowsFromEvents } from './schedule/past-windows.js';
import { WakeOnRequest } from './wake-on-request.js';
import { lockDataFolder } from './data-folder-lock.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tightenDataFolder } from './private-data-folder.js';
import { createReplicaDriver } from './replicas/create-driver.js';
import { dockerOptionsFor } from './replicas/docker-connection.js';
import { dockerStatus } from './replicas/docker-driver.js';
import type { ReplicaDriver } from './replicas/replica-driver.js';
import { specOf } from './replicas/generation.js';
import { Rollout } from './rollout.js';
import { rolloutRecordFile } from './rollout-record.js';
import { SettingsStore } from './settings-store.js';
import type { SetupProbes } from './setup-checks.js';

export interface ControlPlaneOptions {
  dataDir: string;
  /** Where the sample api's image context and server script are (repo in development, resources when packaged). */
  paths: { apiDockerfile: string; apiServerJs: string };
  /** Tells this app's replicas apart from another ScaleDeck's on the same engine (label scaledeck.app). */
  app?: string;
  log?: (line: string) => void;
  haproxyBin?: string;
  /** Local-only settings given on this machine's command line: saved (validated like any patch) before anything starts. */
  localSettings?: Partial<Pick<Settings, 'haproxyPath' | 'dockerHost'>>;
}

/** How far back the replica chart's schedule windows are read from the event log: the history's whole span. */
const WEEK_MS = 7 * 86_400_000;

/** The effectful parts a caller may replace; each one left out is built for real. */
export interface ControlPlaneOverrides {
  clock?: Clock;
  driver?: ReplicaDriver;
  haproxy?: HaproxyProcess;
  lb?: LoadBalancer & { traffic(): Promise<TrafficStats> };
  docker?: DockerEngine;
  hostCpu?: () => Promise<number>;
  probes?: SetupProbes;
  probeHealth?: (url: string) => Promise<string | null>;
  portBlocker?: (port: number, host: string) => Promise<string | null>;
  /** HAProxy's per-request timings; a fake HAProxy sends none, so tests pass their own. */
  requestLog?: { port: number; take(): LatencyPercentiles; close(): Promise<void> };
}

/** A URL a browser or load tool on this machine can use for a bind address (0.0.0.0 means "all", so loopback). */
function reachableUrl(host: string, port: number): string {
  const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${target.includes(':') ? `[${target}]` : target}:${port}/`;
}

function dockerEngine(docker: Dockerode, paths: ControlPlaneOptions['paths'], onChange: () => void): DockerEngine {
  const job = new ImageBuildJob(onChange);
  return {
    status: () => dockerStatus(docker),
    buildImage: (tag) => job.start({ docker, dockerfile: paths.apiDockerfile, serverJs: paths.apiServerJs, tag }),
    get imageBuild() {
      return job.state;
    },
  };
}

/**
 * The driver is chosen before anything is built on it: the one the settings name, or local processes when the
 * settings name Docker and no engine answers (the choice holds until the next start).
 */
async function chooseDriver(settings: Settings, docker: Dockerode, options: ControlPlaneOptions, log: (line: string) => void): Promise<{ driver: ReplicaDriver; fellBack: boolean }> {
  const fellBack = settings.driver === 'docker' && !(await dockerStatus(docker)).reachable;
  const driver = createReplicaDriver(fellBack ? 'process' : settings.driver, {
    app: options.app ?? 'scaledeck',
    instance: createHash('sha256').update(path.resolve(options.dataDir)).digest('hex').slice(0, 12),
    docker,
    dataDir: path.join(options.dataDir, 'replicas'),
    serverScript: options.paths.apiServerJs,
    swarmService: settings.swarmService,
    log,
  });
  return { driver, fellBack };
}

export async function createControlPlane(options: ControlPlaneOptions, overrides: ControlPlaneOverrides = {}): Promise<ControlPlane> {
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // Before anything starts: a second instance on this folder would run a second loop over the same replicas.
  const releaseDataFolder = await lockDataFolder(dataDir);
  try {
    const tightened = await tightenDataFolder(dataDir);
    if (tightened > 0) {
      options.log?.(`The data folder ${dataDir} was open to other users: ${tightened} file(s) and folder(s) are now the owner's only (0600 files, 0700 folders)`);
    }
    return await buildAndStart(options, overrides, releaseDataFolder);
  } catch (error) {
    await releaseDataFolder();
    throw error;
  }
}

async function buildAndStart(options: ControlPlaneOptions, overrides: ControlPlaneOverrides, releaseDataFolder: () => Promise<void>): Promise<ControlPlane> {
  const { dataDir } = options;
  const clock = overrides.clock ?? systemClock;
  const store = new SettingsStore(dataDir);
  if (options.localSettings && Object.keys(options.localSettings).length > 0) store.update(options.localSettings);
  const settings = () => store.settings;
  const dockerode = new Dockerode(dockerOptionsFor(store.settings.dockerHost));
  const frontendUrl = () => reachableUrl(settings().frontendHost, settings().frontendPort);
  const statsUrl = () => reachableUrl('127.0.0.1', settings().statsPort);

  // Late-bound: the snapshot reads the plane that is built last.
  let plane: ScaleDeckControlPlane | null = null;
  const events = new EventStream({ snapshot: () => plane!.snapshot(), log: options.log, clock });
  const docker = overrides.docker ?? dockerEngine(dockerode, options.paths, () => events.publishSnapshot());

  const chosen = overrides.driver ? { driver: overrides.driver, fellBack: false } : await chooseDriver(store.settings, dockerode, options, (line) => events.event('docker', line));
  const { driver } = chosen;
  await writeHoldScript(dataDir);
  // HAProxy refuses a config whose map or ACL file is missing; entries live in its memory, set at run time.
  const healthPathMap = healthPathMapPath(dataDir);
  writeFileSync(healthPathMap, '', { flag: 'a', mode: PRIVATE_FILE_MODE });
  const closingAcl = closingAclPath(dataDir);
  writeFileSync(closingAcl, '', { flag: 'a', mode: PRIVATE_FILE_MODE });
  const sampleAcl = requestLogSampleAclPath(dataDir);
  writeFileSync(sampleAcl, '', { flag: 'a', mode: PRIVATE_FILE_MODE });
  const requestLogSecret = new RequestLogSecret(dataDir);
  const requestLog = overrides.requestLog ?? new RequestLogListener(dataDir, requestLogSecret);
  if (requestLog instanceof RequestLogListener) await requestLog.start();
  const renderConfig = (servers: ConfiguredServer[], secret?: string) =>
    haproxyConfigFor(dataDir, settings(), servers, secret === undefined ? undefined : { port: requestLog.port, secret });
  const haproxyBin = options.haproxyBin ?? findHaproxy({ configured: store.settings.haproxyPath });
  const supervisor = overrides.haproxy ? null : new HaproxySupervisor({ dataDir, bin: haproxyBin, renderConfig, requestLogSecret, closingAcl });
  const haproxy: HaproxyProcess = overrides.haproxy ?? supervisor!;
  const lb = overrides.lb ?? new HaproxyBackend(() => supervisor!.client, BACKEND_NAME, healthPathMap, () => settings().slowStartS);

  const runningAtStart = store.desired === null ? (await driver.list().catch(() => [])).filter((r) => r.running).length : undefined;
  let controller: Controller | null = null;
  const rollout = new Rollout({
    clock,
    spec: () => specOf(settings()),
    surge: () => settings().rolloutSurge,
    deadlineS: () => settings().rolloutDeadlineS,
    onEvent: (kind, message) => events.event(kind, message),
    onChange: () => events.publishSnapshot(),
    store: rolloutRecordFile(dataDir),
    // Swarm replaces its tasks itself (its rolling update); the rollout hands it the spec and follows it.
    engine: driver.rolling,
  });
  const schedule = new LiveSchedule(settings);
  const target = new ReplicaTarget({
    runningAtStart,
    store,
    range: () => schedule.range(clock.now()),
    onEvent: (kind, message) => events.event(kind, message),
    apply: (n) => {
      controller!.setDesired(n);
      events.publishSnapshot();
    },
    onModeChanged: () => autoscaler.reset(),
  });
  controller = new Controller({
    driver,
    lb,
    spec: () => specOf(settings()),
    drainTimeoutS: () => settings().drainTimeoutS,
    standby: () => (target.shuttingDown ? 0 : settings().standbyReplicas),
    desired: target.desired,
    onEvent: (kind, message) => events.event(kind, message),
    onChange: () => events.publishSnapshot(),
    clock,
    probeHealth: overrides.probeHealth,
    rollout,
    // The first run builds the sample image: a replica of it waits for the build instead of failing on a missing image.
    createsWait: () => docker.imageBuild.running && settings().image === API_IMAGE_TAG,
  });
  const replicas = () => controller!.replicas();
  const hostCpu = new HostCpu();
  const sampler = new MetricsSampler({
    hostCpu: overrides.hostCpu ?? (async () => hostCpu.percent()),
    replicaStats: (id) => driver.stats(id, specOf(settings())),
    traffic: () => lb.traffic(),
    replicas,
    // The figure the dashboard charts is the policy's own reading of replica CPU (ready, warmed-up replicas).
    replicaCpu: (stats) => metricValue(observationOf(replicas(), stats), { ...settings(), metric: 'replica-cpu' }, clock.now()).value,
    replicaMemory: (stats) => metricValue(observationOf(replicas(), stats), { ...settings(), metric: 'replica-memory' }, clock.now()).value,
    latency: () => requestLog.take(),
    desired: () => target.desired,
  }, 3600, clock);
  const forecast = new ForecastService(settings, () => events.publishSnapshot());
  const autoscaler = new Autoscaler(
    target, settings, (sample) => observationOf(replicas(), sampler.stats, sample), (line) => events.event('hold', line), (now) => forecast.floor(now),
    { windows: schedule, onNote: (line) => events.event('schedule', line) },
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
  const history = new HistoryStore({ dir: path.join(dataDir, 'history'), clock, log: options.log });
  await history.open().catch((error: unknown) => options.log?.(`history: ${(error as Error).message}`));
  // The chart shades the windows of the past week as the event log recorded them.
  void history.events(clock.now() - WEEK_MS, clock.now()).then((past) => schedule.remember(windowsFromEvents(past)), () => undefined);
  const logSampling = new RequestLogSampling(sampleAcl, () => supervisor && { replace: (patterns) => supervisor.client.replaceAcl(sampleAcl, patterns) });
  // The forecast learns the week on disk off the start's path; live samples meanwhile are kept and win over it.
  history.samples(clock.now() - RETENTION_MS, clock.now())
    .then((samples) => forecast.learn(samples, clock.now()))
    .catch((error: unknown) => options.log?.(`forecast: could not read the history: ${(error as Error).message}`));
  events.subscribe((message) => {
    if (message.type === 'sample') {
      history.appendSample(message.sample);
      forecast.onSample(message.sample);
      void logSampling.follow(message.sample.rps);
    } else if (message.type === 'event') history.appendEvent(message.event);
  });

  const usesDocker = () => settings().driver !== 'process';
  const probes: SetupProbes = overrides.probes ?? {
    // The swarm driver's status also says whether the engine is a swarm manager.
    docker: async () => (!usesDocker() ? null : driver.kind === 'swarm' ? driver.status() : docker.status()),
    haproxy: async () => {
      await checkHaproxy(haproxyBin);
      return haproxyVersion(haproxyBin);
    },
    image: async () => (usesDocker() ? imageExists(dockerode, settings().image) : null),
    portBlocker: async () => {
      if (haproxy.running) return null;
      const { frontendPort, frontendHost } = settings();
      return (await isPortFree(frontendPort, frontendHost)) ? null : describePortInUse(frontendPort);
    },
  };
  const portBlocker = overrides.portBlocker ?? (async (port: number, host: string) => ((await isPortFree(port, host)) ? null : describePortInUse(port)));

  plane = new ScaleDeckControlPlane({
    dataDir, clock, store, driver, haproxy, docker, events, controller, sampler, probes, portBlocker, frontendUrl, statsUrl, target, autoscaler, schedule, waker, rollout, history, forecast,
    releaseDataFolder, requestLog,
    sampleImage: API_IMAGE_TAG,
    load: new LoadGenerator(() => events.publishSnapshot()),
  });
  if (store.setAside) {
    events.event('error', `The settings file could not be read; it is kept as ${store.setAside}. ScaleDeck started on the default settings and keeps the ${target.desired} replica(s) that run`);
  }
  if (store.migrated) {
    events.event('settings', `The settings file was from before services: its settings and count are now the service "${DEFAULT_SERVICE}"'s, nothing changed (${store.path})`);
  }
  if (chosen.fellBack) events.event('docker', 'No Docker engine answers: replicas run as local processes until it does (restart ScaleDeck then)');
  try {
    await plane.start();
  } catch (error) {
    // A start that fails leaves no port bound behind: the next attempt in this process must be able to take it.
    await requestLog.close();
    throw error;
  }
  return plane;
}
