// The composition root: builds the control plane's parts from the data folder and settings, and wires them.
// It holds no behaviour; every effectful part can be replaced (tests pass fakes through `overrides`). What is one per
// service is built by service/compose-service.ts, once for each service in the settings and for each one added.
import { frontendUrlOf, reachableUrl } from './service-address.js';
import Dockerode from 'dockerode';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { writeHoldScript } from '../../haproxy/request-hold.js';
import { closingAclPath, healthPathMapPath, requestLogSampleAclPath, type ConfiguredServer } from '../../haproxy/config.js';
import { findHaproxy } from '../../haproxy/find-haproxy.js';
import { haproxyVersion, checkHaproxy } from '../../haproxy/version.js';
import { SharedRuntimeReads } from '../../haproxy/shared-reads.js';
import { DEFAULT_SERVICE, type Settings } from '../contract/settings-schema.js';
import { systemClock, type Clock } from './clock.js';
import { ScaleDeckControlPlane, type ControlPlane, type DockerEngine, type HaproxyProcess } from './control-plane.js';
import { EventStream } from './event-stream.js';
import { HealthPathFile } from './service/haproxy-backend.js';
import { haproxyConfigForServices } from './haproxy-settings.js';
import { dockerComposeEngine, freePort } from './compose/docker-compose-engine.js';
import { relaySocketDir, relaySocketPath } from './compose/service-relay.js';
import { ImageBuildJob } from './image/image-build-job.js';
import { API_IMAGE_TAG, imageExists } from './image/image-builder.js';
import type { LoadBalancer } from './service/load-balancer.js';
import { LoadGenerator } from './load-generator.js';
import { HostCpu } from './metrics/host-cpu.js';
import { withinHostBudget } from './policy/host-budget.js';
import type { LatencyPercentiles } from './metrics/latency-window.js';
import { RequestLogListener } from './metrics/request-log-listener.js';
import { RequestLogSampling } from './metrics/request-log-sampling.js';
import { RequestLogSecret } from '../../haproxy/request-log-secret.js';
import type { TrafficStats } from './metrics/sampler.js';
import { describePortInUse, isPortFree } from './port-owner.js';
import { lockDataFolder } from './data-folder-lock.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tightenDataFolder } from './private-data-folder.js';
import { dockerOptionsFor } from './replicas/docker-connection.js';
import { dockerStatus } from './replicas/docker-driver.js';
import type { ReplicaDriver } from './replicas/replica-driver.js';
import { composeService, servicePlaces, type ServiceFoundation, type ServiceParts } from './service/compose-service.js';
import { SettingsStore } from './settings-store.js';
import { tickingTogether } from './ticking-together.js';
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
  requestLog?: { port: number; take(backend?: string): LatencyPercentiles; close(): Promise<void> };
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
async function chooseDriver(settings: Settings, docker: Dockerode): Promise<Settings['driver']> {
  const fellBack = settings.driver === 'docker' && !(await dockerStatus(docker)).reachable;
  return fellBack ? 'process' : settings.driver;
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
  // Services' loops tick together, so what they ask HAProxy each tick is asked once for all (reads below).
  const clock = tickingTogether(overrides.clock ?? systemClock);
  const store = new SettingsStore(dataDir);
  if (options.localSettings && Object.keys(options.localSettings).length > 0) store.update(options.localSettings);
  const globals = () => store.settings;
  const dockerode = new Dockerode(dockerOptionsFor(store.settings.dockerHost));
  const statsUrl = () => reachableUrl('127.0.0.1', globals().statsPort);

  // Late-bound: the snapshot reads the plane that is built last.
  let plane: ScaleDeckControlPlane | null = null;
  const events = new EventStream({ snapshot: () => plane!.snapshot(), log: options.log, clock });
  const docker = overrides.docker ?? dockerEngine(dockerode, options.paths, () => events.publishSnapshot());

  const driverKind = overrides.driver ? overrides.driver.kind : await chooseDriver(store.settings, dockerode);
  const fellBack = !overrides.driver && driverKind !== store.settings.driver;
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
  // A service from a Compose file also listens on its relay's socket, for callers inside the project's networks.
  const relayOf = (name: string) => {
    if (!store.serviceNames.includes(name) || !store.service(name).origin) return {};
    // HAProxy binds the socket in this folder; the relay's container mounts the folder (a reload may replace the socket).
    mkdirSync(relaySocketDir(dataDir, name), { recursive: true });
    return { relaySocket: relaySocketPath(dataDir, name) };
  };
  const renderConfigFor = (settingsOf: (name: string) => Settings | undefined, names: readonly string[], servers: ConfiguredServer[] = [], secret?: string) =>
    haproxyConfigForServices(dataDir, names.flatMap((name) => {
      const settings = settingsOf(name);
      return settings ? [{ name, settings, ...relayOf(name) }] : [];
    }), servers, secret === undefined ? undefined : { port: requestLog.port, secret });
  // What HAProxy runs: every service as saved, the servers carried across a reload in their backends.
  const renderConfig = (servers: ConfiguredServer[], secret?: string) =>
    renderConfigFor((name) => store.service(name).settings, store.serviceNames, servers, secret);
  const haproxyBin = options.haproxyBin ?? findHaproxy({ configured: store.settings.haproxyPath });
  const supervisor = overrides.haproxy ? null : new HaproxySupervisor({
    dataDir, bin: haproxyBin, renderConfig, requestLogSecret, closingAcl,
    backends: () => store.serviceNames.map((name) => servicePlaces(dataDir, name).backend),
  });
  const haproxy: HaproxyProcess = overrides.haproxy ?? supervisor!;
  const healthPaths = new HealthPathFile(healthPathMap);
  const hostCpu = new HostCpu();
  const foundation: ServiceFoundation = {
    dataDir,
    clock,
    app: options.app ?? 'scaledeck',
    instance: createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12),
    driverKind,
    dockerode,
    serverScript: options.paths.apiServerJs,
    client: () => supervisor!.client,
    reads: new SharedRuntimeReads(() => supervisor!.client),
    healthPaths,
    event: (kind, message, service) => events.event(kind, message, service),
    publishSnapshot: () => events.publishSnapshot(),
    createsWait: (settings) => docker.imageBuild.running && settings.image === API_IMAGE_TAG,
    hostCpu: overrides.hostCpu ?? (async () => hostCpu.percent()),
    hostBudget: (service, from, to) => withinHostBudget(service, from, to, globals().hostCpuBudget, plane?.serviceCpu() ?? []),
    latency: (backend) => requestLog.take(backend),
    log: options.log,
    overrides: { driver: overrides.driver, lb: overrides.lb, probeHealth: overrides.probeHealth },
  };
  const composeOne = (name: string) => composeService(name, store.service(name), foundation);
  const services: ServiceParts[] = [];
  for (const name of store.serviceNames) services.push(await composeOne(name));
  const logSampling = new RequestLogSampling(sampleAcl, () => supervisor && { replace: (patterns) => supervisor.client.replaceAcl(sampleAcl, patterns) });

  const usesDocker = () => globals().driver !== 'process';
  const probes: SetupProbes = overrides.probes ?? {
    // The swarm driver's status also says whether the engine is a swarm manager.
    docker: async () => (!usesDocker() ? null : services[0]!.driver.kind === 'swarm' ? services[0]!.driver.status() : docker.status()),
    haproxy: async () => {
      await checkHaproxy(haproxyBin);
      return haproxyVersion(haproxyBin);
    },
    image: async () => (usesDocker() ? imageExists(dockerode, globals().image) : null),
    portBlocker: async () => {
      if (haproxy.running) return null;
      const { frontendPort, frontendHost } = globals();
      if (frontendPort === 0) return null;
      return (await isPortFree(frontendPort, frontendHost)) ? null : describePortInUse(frontendPort);
    },
  };
  const portBlocker = overrides.portBlocker ?? (async (port: number, host: string) => ((await isPortFree(port, host)) ? null : describePortInUse(port)));

  plane = new ScaleDeckControlPlane({
    dataDir, clock, store, haproxy, docker, events, probes, portBlocker, statsUrl, services, releaseDataFolder, requestLog,
    frontendUrlOf,
    composeService: composeOne,
    renderConfigFor: (settingsOf, names) => renderConfigFor(settingsOf, names),
    followRate: (rps) => void logSampling.follow(rps),
    sampleImage: API_IMAGE_TAG,
    composeEngine: overrides.driver || driverKind === 'process' ? null : dockerComposeEngine({ docker: dockerode, app: foundation.app, instance: foundation.instance, dataDir, relayImage: API_IMAGE_TAG }),
    freePort,
    load: new LoadGenerator(() => events.publishSnapshot()),
  });
  if (store.setAside) {
    events.event('error', `The settings file could not be read; it is kept as ${store.setAside}. ScaleDeck started on the default settings and keeps the replicas that run`);
  }
  if (store.migrated) {
    events.event('settings', `The settings file was from before services: its settings and count are now the service "${DEFAULT_SERVICE}"'s, nothing changed (${store.path})`);
  }
  if (fellBack) events.event('docker', 'No Docker engine answers: replicas run as local processes until it does (restart ScaleDeck then)');
  try {
    await plane.start();
  } catch (error) {
    // A start that fails leaves no port bound behind: the next attempt in this process must be able to take it.
    await requestLog.close();
    throw error;
  }
  return plane;
}
