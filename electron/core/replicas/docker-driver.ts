// Replicas as Docker containers through dockerode: labelled as ours, CPU/memory limited, published on 127.0.0.1 only.
import { randomBytes } from 'node:crypto';
import Dockerode from 'dockerode';
import {
  APP_LABEL,
  INSTANCE_LABEL,
  MANAGED_LABEL,
  REPLICA_PIDS_LIMIT,
  ownershipOf,
  type DriverStatus,
  type ObservedReplica,
  type ReplicaDriver,
  type ReplicaSpec,
  type ReplicaStats,
} from './replica-driver.js';
import { DockerStatsFeeds } from './docker-stats.js';
import { GENERATION_LABEL, HEALTH_PATH_LABEL, generationOf } from './generation.js';
import { assertAppName, message, statusCode, stopContainer } from './engine-errors.js';
import type { ReplicaRuntime } from '../compose/compose-plan-types.js';

/** Which container port to read the published host port of, for containers listed after a restart. */
export const CONTAINER_PORT_LABEL = 'scaledeck.container-port';
/** Docker's own grace for `docker stop` by hand; a little longer than the api server's 25 s shutdown deadline. */
export const DEFAULT_STOP_TIMEOUT_S = 30;
const STATUS_TIMEOUT_MS = 5_000;

export interface ContainerIdentity {
  app: string;
  /** The data folder's hash (INSTANCE_LABEL); absent in containers made before it existed. */
  instance?: string;
  name: string;
  stopTimeoutS?: number;
}

/** The create request for one replica container; pure, so the limits and bindings can be checked without Docker. */
export function containerCreateOptions(spec: ReplicaSpec, identity: ContainerIdentity): Dockerode.ContainerCreateOptions {
  const port = `${spec.containerPort}/tcp`;
  const memory = Math.round(spec.memoryLimitMb * 2 ** 20);
  const runtime = spec.runtime;
  return {
    name: identity.name,
    Image: spec.image,
    Labels: {
      // The file's labels first: ScaleDeck's own always win, so a file cannot make a replica look like another app's.
      ...runtime?.labels,
      [MANAGED_LABEL]: 'true',
      [APP_LABEL]: identity.app,
      [CONTAINER_PORT_LABEL]: String(spec.containerPort),
      [GENERATION_LABEL]: generationOf(spec),
      [HEALTH_PATH_LABEL]: spec.healthPath,
      ...(identity.instance ? { [INSTANCE_LABEL]: identity.instance } : {}),
    },
    // The sample api listens on PORT, so a changed containerPort setting reaches it; a Compose service gets its own environment.
    Env: runtime ? Object.entries(runtime.environment).map(([key, value]) => `${key}=${value}`) : [`PORT=${spec.containerPort}`],
    ExposedPorts: { [port]: {} },
    StopTimeout: runtime?.stopGracePeriodS !== undefined ? Math.ceil(runtime.stopGracePeriodS) : identity.stopTimeoutS ?? DEFAULT_STOP_TIMEOUT_S,
    ...(runtime ? composeContainerFields(runtime) : {}),
    // HAProxy checks every replica; an image's own HEALTHCHECK would run a process inside the container every few
    // seconds, counted as the replica's CPU (the sample's costs 35 ms of CPU a probe) and read by the autoscaler.
    Healthcheck: { Test: ['NONE'] },
    HostConfig: {
      // Only HAProxy on this machine should reach a replica; an empty HostPort lets Docker choose a free one.
      PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      NanoCpus: Math.round(spec.cpuLimit * 1e9),
      Memory: memory,
      // Equal to Memory: no swap on top of the limit, so the limit is what the replica really gets.
      MemorySwap: memory,
      // The controller replaces dead replicas itself; Docker restarting them would race it.
      RestartPolicy: { Name: 'no' },
      SecurityOpt: ['no-new-privileges'],
      PidsLimit: REPLICA_PIDS_LIMIT,
      ...(runtime ? composeHostConfig(runtime) : {}),
    },
  };
}

/** What a Compose file gives a replica's container besides ScaleDeck's own fields. */
function composeContainerFields(runtime: ReplicaRuntime): Partial<Dockerode.ContainerCreateOptions> {
  return {
    ...(runtime.command ? { Cmd: runtime.command } : {}),
    ...(runtime.entrypoint ? { Entrypoint: runtime.entrypoint } : {}),
    ...(runtime.workingDir ? { WorkingDir: runtime.workingDir } : {}),
    ...(runtime.user ? { User: runtime.user } : {}),
    ...(runtime.stopSignal ? { StopSignal: runtime.stopSignal } : {}),
  };
}

function composeHostConfig(runtime: ReplicaRuntime): Dockerode.HostConfig {
  return {
    // Secrets, configs and `:ro` binds, and nothing writable: a scaled service holds no state of its own.
    Binds: runtime.mounts.map((mount) => `${mount.source}:${mount.target}:ro`),
    ExtraHosts: runtime.extraHosts,
    ...(runtime.shmSizeBytes ? { ShmSize: runtime.shmSizeBytes } : {}),
    ...(runtime.ulimits ? { Ulimits: runtime.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })) } : {}),
    ...(runtime.capAdd ? { CapAdd: runtime.capAdd } : {}),
    ...(runtime.capDrop ? { CapDrop: runtime.capDrop } : {}),
    ...(runtime.readOnlyRootfs ? { ReadonlyRootfs: true } : {}),
    ...(runtime.tmpfs ? { Tmpfs: Object.fromEntries(runtime.tmpfs.map((entry) => { const [target = entry, options = ''] = entry.split(/:(.*)/s); return [target, options]; })) } : {}),
  };
}

function engineAddress(docker: Dockerode): string {
  // modem is typed `any` by @types/dockerode; these are docker-modem's connection fields.
  const modem = docker.modem as { socketPath?: unknown; host?: string; port?: number | string; protocol?: string };
  if (typeof modem.socketPath === 'string') return modem.socketPath;
  if (modem.host) return `${modem.protocol ?? 'http'}://${modem.host}${modem.port ? `:${modem.port}` : ''}`;
  return '/var/run/docker.sock';
}

/** A socket that accepts but never answers must not hang the status check. */
function withinStatusTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('no answer'), { code: `no answer within ${STATUS_TIMEOUT_MS / 1000} s` })), STATUS_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Is the engine there, and which version? Never throws; says what to do when it is not. */
export async function dockerStatus(docker: Dockerode): Promise<DriverStatus> {
  try {
    await withinStatusTimeout(docker.ping());
    const version = await withinStatusTimeout(docker.version());
    return { reachable: true, version: version.Version };
  } catch (error) {
    const address = engineAddress(docker);
    const code = (error as NodeJS.ErrnoException).code;
    const group = 'add yourself to the docker group: `sudo usermod -aG docker $USER` then log in again';
    const why = code === 'EACCES' ? `permission denied on ${address}` : `Cannot reach the Docker engine at ${address} (${code ?? message(error)})`;
    const advice = code === 'EACCES' ? group : `start it with \`sudo systemctl start docker\`, or ${group}`;
    return { reachable: false, version: null, error: `${why}: ${advice}` };
  }
}

type InspectInfo = Dockerode.ContainerInspectInfo;

function publishedPort(info: InspectInfo, containerPort: number): number {
  const bindings = info.NetworkSettings?.Ports?.[`${containerPort}/tcp`] ?? [];
  const port = Number(bindings[0]?.HostPort);
  return Number.isInteger(port) && port > 0 ? port : 0;
}

function generationFields(labels: Record<string, string>, image: string): Pick<ObservedReplica, 'generation' | 'image' | 'healthPath'> {
  const generation = labels[GENERATION_LABEL];
  const healthPath = labels[HEALTH_PATH_LABEL];
  return { image, ...(generation ? { generation } : {}), ...(healthPath ? { healthPath } : {}) };
}

function startedAtOf(info: InspectInfo): number {
  const started = Date.parse(info.State.StartedAt);
  // Docker reports year 1 for a container that never started.
  return started > 0 ? started : Date.parse(info.Created);
}

export class DockerDriver implements ReplicaDriver {
  readonly kind = 'docker' as const;
  private readonly app: string;
  private readonly docker: Dockerode;
  private readonly stopTimeoutS: number;
  private readonly statsFeeds: DockerStatsFeeds;
  /** Start times by container id; listing gives only the creation second, so each container is inspected once. */
  private readonly startedAt = new Map<string, number>();

  private readonly instance: string | undefined;
  private readonly log: (line: string) => void;
  /** Unmarked containers already reported, so each is said once. */
  private readonly reportedUnmarked = new Set<string>();

  /** A service after the first: its containers carry it in their name, and it adopts no unmarked container. */
  private readonly service: string | undefined;

  constructor(options: { app: string; instance?: string; service?: string; docker?: Dockerode; stopTimeoutS?: number; log?: (line: string) => void }) {
    assertAppName(options.app);
    this.app = options.app;
    this.service = options.service;
    this.instance = options.instance;
    this.log = options.log ?? (() => undefined);
    this.docker = options.docker ?? new Dockerode();
    this.stopTimeoutS = options.stopTimeoutS ?? DEFAULT_STOP_TIMEOUT_S;
    this.statsFeeds = new DockerStatsFeeds(this.docker);
  }

  status(): Promise<DriverStatus> {
    return dockerStatus(this.docker);
  }

  /** Labelled ours: this app, and this data folder's instance (or none, as containers made before the label). */
  private isOurs(labels: Record<string, string> | undefined): boolean {
    return this.ownership(labels) !== 'foreign';
  }

  /** Containers from before the instance label were the one service's: only the first service takes them. */
  private ownership(labels: Record<string, string> | undefined): ReturnType<typeof ownershipOf> {
    const ownership = ownershipOf(labels, this.app, this.instance);
    return ownership === 'unmarked' && this.service !== undefined ? 'foreign' : ownership;
  }

  private reportUnmarked(id: string, name: string): void {
    if (this.reportedUnmarked.has(id)) return;
    this.reportedUnmarked.add(id);
    this.log(`Adopted container ${name}: it carries app "${this.app}" but no ${INSTANCE_LABEL} label (made by an older ScaleDeck), so it is taken as this data folder's`);
  }

  async list(): Promise<ObservedReplica[]> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [`${MANAGED_LABEL}=true`, `${APP_LABEL}=${this.app}`] },
    });
    const seen = new Set<string>();
    const replicas: ObservedReplica[] = [];
    for (const container of containers) {
      // The engine filtered already; checking again keeps a filter bug from ever handing out someone else's container.
      const ownership = this.ownership(container.Labels);
      if (ownership === 'foreign') continue;
      seen.add(container.Id);
      const name = (container.Names[0] ?? container.Id).replace(/^\//, '');
      if (ownership === 'unmarked') this.reportUnmarked(container.Id, name);
      const containerPort = Number(container.Labels[CONTAINER_PORT_LABEL]);
      const binding = container.Ports.find((p) => p.PublicPort && (!containerPort || p.PrivatePort === containerPort));
      replicas.push({
        id: container.Id,
        name,
        host: '127.0.0.1',
        hostPort: binding?.PublicPort ?? 0,
        startedAt: await this.startTime(container.Id, container.Created),
        running: container.State === 'running',
        ...generationFields(container.Labels, container.Image),
      });
    }
    for (const id of this.startedAt.keys()) if (!seen.has(id)) this.startedAt.delete(id);
    // Opening the stats feed now means the first stats() reading of a replica need not wait for the engine.
    this.statsFeeds.keepOnly(replicas.filter((r) => r.running).map((r) => r.id));
    return replicas;
  }

  private async startTime(id: string, createdS: number): Promise<number> {
    const known = this.startedAt.get(id);
    if (known !== undefined) return known;
    try {
      const started = startedAtOf(await this.docker.getContainer(id).inspect());
      this.startedAt.set(id, started);
      return started;
    } catch {
      // Removed between the listing and the inspection: the creation time is close enough for a replica about to vanish.
      return createdS * 1000;
    }
  }

  async create(spec: ReplicaSpec): Promise<ObservedReplica> {
    const name = `${this.app}-${this.service ? `${this.service}-` : ''}${randomBytes(3).toString('hex')}`;
    let container: Dockerode.Container;
    try {
      container = await this.docker.createContainer(containerCreateOptions(spec, { app: this.app, instance: this.instance, name, stopTimeoutS: this.stopTimeoutS }));
    } catch (error) {
      if (statusCode(error) === 404) throw new Error(`image ${spec.image} not found: build it with \`npm run image\` (or set "image" to one that exists)`);
      throw new Error(`could not create a container from ${spec.image}: ${message(error)}`);
    }
    try {
      // Joined before it starts, so its first request to `db` already resolves; never under its service's name there
      // (that name is HAProxy's relay), so callers inside the project reach every replica through the balancer.
      for (const network of spec.runtime?.networks ?? []) {
        await this.docker.getNetwork(network.name).connect({ Container: container.id, EndpointConfig: { Aliases: network.aliases } })
          .catch((error: unknown) => {
            throw new Error(statusCode(error) === 404 ? `the network ${network.name} does not exist: apply the Compose file again, or start the project with docker compose` : `could not join the network ${network.name}: ${message(error)}`);
          });
      }
      await container.start();
      const info = await container.inspect();
      const hostPort = publishedPort(info, spec.containerPort);
      if (!hostPort) throw new Error(`Docker published no host port for ${spec.containerPort}/tcp`);
      const startedAt = startedAtOf(info);
      this.startedAt.set(info.Id, startedAt);
      this.statsFeeds.watch(info.Id, info.State.Pid);
      return { id: info.Id, name, host: '127.0.0.1', hostPort, startedAt, running: info.State.Running, generation: generationOf(spec), image: spec.image, healthPath: spec.healthPath };
    } catch (error) {
      // A container that never ran must not linger as a half-made replica.
      await container.remove({ force: true }).catch(() => {});
      throw new Error(`could not start ${name} from ${spec.image}: ${message(error)}`);
    }
  }

  async remove(id: string, graceS: number): Promise<void> {
    const container = this.docker.getContainer(id);
    let info: InspectInfo;
    try {
      info = await container.inspect();
    } catch (error) {
      if (statusCode(error) === 404) return this.forget(id);
      throw error;
    }
    if (!this.isOurs(info.Config.Labels)) {
      throw new Error(`refusing to remove container ${info.Name.replace(/^\//, '')}: it is not a ScaleDeck replica of app "${this.app}"`);
    }
    await stopContainer(container, graceS, id.slice(0, 12));
    try {
      await container.remove({ force: true });
    } catch (error) {
      // 409: a removal is already in progress, which is what we want.
      if (statusCode(error) !== 404 && statusCode(error) !== 409) throw new Error(`could not remove ${id.slice(0, 12)}: ${message(error)}`);
    }
    this.forget(id);
  }

  private forget(id: string): void {
    this.statsFeeds.forget(id);
    this.startedAt.delete(id);
  }

  /** Served from the container's cgroup files, or a stats stream kept open (see docker-stats.ts for why and what each costs). */
  stats(id: string, spec: ReplicaSpec): Promise<ReplicaStats> {
    return this.statsFeeds.read(id, spec.cpuLimit);
  }

  async close(): Promise<void> {
    this.statsFeeds.close();
    this.startedAt.clear();
  }
}
