// One Swarm service through dockerode: found by its exact name, created or adopted, its tasks, version-checked updates.
import type Dockerode from 'dockerode';
import { INSTANCE_LABEL, ownershipOf, type ReplicaSpec } from '../replica-driver.js';
import { TASK_SPEC_LABEL, serviceSpec } from './service-spec.js';
import { GENERATION_LABEL } from '../generation.js';
import type { SwarmTask } from './tasks.js';
import { engineUpdateOf, isUnderWay } from './rolling-update.js';
import { message, statusCode } from '../engine-errors.js';
import { TimeoutError, pollUntil, systemClock } from '../../clock.js';
import { engineImage } from '../../image/engine-image.js';

export const NOT_A_MANAGER = 'The Docker engine is not a swarm manager: run `docker swarm init` (or point dockerHost at a manager)';
/** Swarm's optimistic lock: an update with a stale version is refused ("update out of sequence") and retried. */
const UPDATE_ATTEMPTS = 10;

/** Swarm-only endpoints answer 503 on an engine that is not a manager; say what to do instead of relaying that. */
function swarmError(error: unknown, doing: string): Error {
  if (statusCode(error) === 503 || /not a swarm manager|not part of a swarm/i.test(message(error))) return new Error(NOT_A_MANAGER);
  return new Error(`could not ${doing}: ${message(error)}`);
}

export class SwarmService {
  private localNode: string | null = null;
  private reportedUnmarked = false;

  constructor(
    private readonly docker: Dockerode,
    readonly name: string,
    private readonly app: string,
    private readonly instance?: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** This app's and this data folder's (or made before the instance label existed); never another data folder's. */
  isOurs(labels: Record<string, string> | undefined): boolean {
    return ownershipOf(labels, this.app, this.instance) !== 'foreign';
  }

  /** The service of this name, whoever owns it. */
  async find(): Promise<Dockerode.Service | undefined> {
    const services = await this.docker.listServices({ filters: { name: [this.name] } }).catch((error: unknown) => {
      throw swarmError(error, 'list the Swarm services');
    });
    // The name filter also matches longer names that start with ours.
    return services.find((s) => s.Spec?.Name === this.name);
  }

  /** The service if it is ours (labelled with this app), else undefined: never anything else's. */
  async findOurs(): Promise<Dockerode.Service | undefined> {
    const service = await this.find();
    if (!service || !this.isOurs(service.Spec?.Labels)) return undefined;
    if (!this.reportedUnmarked && ownershipOf(service.Spec?.Labels, this.app, this.instance) === 'unmarked') {
      this.reportedUnmarked = true;
      this.log(`Adopted the Swarm service ${this.name}: it carries app "${this.app}" but no ${INSTANCE_LABEL} label (made by an older ScaleDeck), so it is taken as this data folder's`);
    }
    return service;
  }

  async tasks(serviceId: string): Promise<SwarmTask[]> {
    const tasks = (await this.docker.listTasks({ filters: { service: [serviceId] } }).catch((error: unknown) => {
      throw swarmError(error, `list the tasks of ${this.name}`);
    })) as SwarmTask[];
    return tasks.filter((t) => t.ServiceID === serviceId);
  }

  /**
   * Creates the service with 0 replicas, or adopts ours as it is: a changed task template is applied by rollTo, as a
   * rolling update, never here (a scale-out after Swarm rolled a version back must not bring that version back).
   */
  async ensure(spec: ReplicaSpec): Promise<string> {
    const existing = await this.find();
    if (!existing) {
      const wanted = serviceSpec(spec, { app: this.app, instance: this.instance, service: this.name, imageId: await this.imageId(spec.image) });
      try {
        // dockerode sends its first argument as X-Registry-Auth; empty, as no registry is ever asked.
        return (await this.docker.createService({}, wanted)).id;
      } catch (error) {
        // 409: another create made it first; adopt that one.
        if (statusCode(error) !== 409) throw swarmError(error, `create the Swarm service ${this.name}`);
        return this.ensure(spec);
      }
    }
    this.assertOurs(existing);
    return existing.ID;
  }

  private assertOurs(service: Dockerode.Service): void {
    if (!this.isOurs(service.Spec?.Labels)) {
      throw new Error(`A Swarm service named "${this.name}" exists and is not this ScaleDeck's (app "${this.app}", this data folder): set swarmService to another name, or remove that service`);
    }
  }

  /**
   * Makes `spec` the task template at once (keeping the replica count): Swarm then replaces the tasks one by one
   * with its rolling update. `again` bumps ForceUpdate, so Swarm updates even an unchanged template (a retry after
   * Swarm rolled back). Nothing to do while there is no service: the first create makes it from the spec it is given.
   */
  async rollTo(spec: ReplicaSpec, { again = false }: { again?: boolean } = {}): Promise<void> {
    const existing = await this.find();
    if (!existing) return;
    this.assertOurs(existing);
    const wanted = serviceSpec(spec, { app: this.app, instance: this.instance, service: this.name, imageId: await this.imageId(spec.image) });
    await this.update(existing.ID, (current) => {
      const same = (label: string) => current.Labels?.[label] === wanted.Labels[label];
      if (!again && same(TASK_SPEC_LABEL) && same(GENERATION_LABEL)) return null;
      const forced = (current.TaskTemplate?.ForceUpdate ?? 0) + (again ? 1 : 0);
      return { ...wanted, Mode: current.Mode, TaskTemplate: { ...wanted.TaskTemplate, ForceUpdate: forced } };
    });
  }

  /**
   * Waits while Swarm's rolling update is under way: a replica-count change meanwhile makes Swarm start the update
   * over, and it then stops an old task before its start-first replacement runs (seen on Docker 20.10.24).
   * Past `timeoutMs` it goes ahead regardless, so a stuck update cannot hold the count forever.
   */
  async waitForUpdateToEnd(serviceId: string, timeoutMs: number): Promise<void> {
    await pollUntil(systemClock, async () => {
      const info = (await this.docker.getService(serviceId).inspect()) as Dockerode.Service;
      return isUnderWay(engineUpdateOf(info)) ? { waiting: 'updating' } : { done: undefined };
    }, { timeoutMs, intervalMs: 200, describe: () => 'updating' }).catch((error: unknown) => {
      if (!(error instanceof TimeoutError)) throw error;
    });
  }

  private async imageId(image: string): Promise<string> {
    try {
      return (await engineImage(this.docker, image).inspect()).Id;
    } catch (error) {
      if (statusCode(error) === 404) throw new Error(`image ${image} not found: build it with \`npm run image\` (or set "image" to one that exists)`);
      throw new Error(`could not inspect image ${image}: ${message(error)}`);
    }
  }

  /** Applies a change to the current spec with its version index, re-reading and retrying when Swarm moved on. */
  async update(serviceId: string, change: (spec: Dockerode.ServiceSpec) => Dockerode.ServiceSpec | null): Promise<void> {
    const service = this.docker.getService(serviceId);
    for (let attempt = 1; ; attempt++) {
      const info = (await service.inspect()) as Dockerode.Service;
      const next = change(info.Spec ?? {});
      if (!next) return;
      try {
        // dockerode sends `_query` as the query string and `_body` as the JSON body.
        await service.update({ _query: { version: info.Version?.Index }, _body: next });
        return;
      } catch (error) {
        if (!/update out of sequence/i.test(message(error)) || attempt >= UPDATE_ATTEMPTS) throw swarmError(error, `update the Swarm service ${this.name}`);
      }
    }
  }

  scaleBy(serviceId: string, delta: number): Promise<void> {
    return this.update(serviceId, (spec) => {
      const replicas = (spec.Mode?.Replicated?.Replicas ?? 0) + delta;
      return replicas < 0 ? null : { ...spec, Mode: { Replicated: { Replicas: replicas } } };
    });
  }

  /** The node of the engine ScaleDeck talks to: its task containers are the ones it can stop and read stats of. */
  async localNodeId(): Promise<string | null> {
    this.localNode ||= ((await this.docker.info()) as { Swarm?: { NodeID?: string } }).Swarm?.NodeID || null;
    return this.localNode;
  }
}
