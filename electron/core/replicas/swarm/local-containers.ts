// The task containers of our service on the engine ScaleDeck talks to: their ids (to stop them and read their stats)
// and their host ports (known while Swarm still reports none, for a task waiting on its HEALTHCHECK).
import type Dockerode from 'dockerode';
import { CONTAINER_PORT_LABEL } from '../docker-driver.js';
import { APP_LABEL, MANAGED_LABEL } from '../replica-driver.js';

/** Docker's label on a task's container naming its task. */
export const TASK_ID_LABEL = 'com.docker.swarm.task.id';

export class LocalTaskContainers {
  /** Task id -> container id, from the last refresh. */
  private containers = new Map<string, string>();
  /** Task id -> the host port its container publishes its container port on. */
  private ports = new Map<string, number>();

  constructor(
    private readonly docker: Dockerode,
    private readonly app: string,
    private readonly isOurs: (labels: Record<string, string>) => boolean,
  ) {}

  async refresh(): Promise<void> {
    const listed = await this.docker.listContainers({ filters: { label: [`${MANAGED_LABEL}=true`, `${APP_LABEL}=${this.app}`] } });
    const ours = listed.filter((c) => c.Labels[TASK_ID_LABEL] && this.isOurs(c.Labels));
    this.containers = new Map(ours.map((c) => [c.Labels[TASK_ID_LABEL], c.Id]));
    this.ports = new Map(ours.flatMap((c) => {
      const target = Number(c.Labels[CONTAINER_PORT_LABEL]) || 0;
      const port = c.Ports.find((p) => p.PublicPort && (!target || p.PrivatePort === target))?.PublicPort;
      return port ? [[c.Labels[TASK_ID_LABEL], port] as const] : [];
    }));
  }

  clear(): void {
    this.containers.clear();
    this.ports.clear();
  }

  containerOf(taskId: string): string | undefined {
    return this.containers.get(taskId);
  }

  portOf(taskId: string): number | undefined {
    return this.ports.get(taskId);
  }

  /** Asks the engine when the last refresh did not have it (a task started since). */
  async find(taskId: string): Promise<string | undefined> {
    const known = this.containers.get(taskId);
    if (known) return known;
    const listed = await this.docker.listContainers({
      filters: { label: [`${TASK_ID_LABEL}=${taskId}`, `${MANAGED_LABEL}=true`, `${APP_LABEL}=${this.app}`] },
    });
    return listed.find((c) => this.isOurs(c.Labels))?.Id;
  }
}
