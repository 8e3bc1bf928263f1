// Picks the replica driver the settings name: Docker containers, local processes, or a Swarm service.
import type Dockerode from 'dockerode';
import type { Settings } from '../../contract/settings-schema.js';
import { DockerDriver } from './docker-driver.js';
import { ProcessDriver } from './process-driver.js';
import type { ReplicaDriver } from './replica-driver.js';
import { SwarmDriver } from './swarm-driver.js';

export interface DriverContext {
  app: string;
  /** Tells this data folder's replicas apart from another ScaleDeck's with the same app name (a label). */
  instance: string;
  docker: Dockerode;
  /** Where the process driver keeps pid files and logs. */
  dataDir: string;
  /** The sample api's compiled server, run by the process driver. */
  serverScript: string;
  swarmService: string;
  /** A service after the first (its replicas are named for it; it adopts nothing made before services). */
  service?: string;
  /** Where a driver says what a person should know (an adopted container without an instance label). */
  log?: (line: string) => void;
}

export function createReplicaDriver(kind: Settings['driver'], context: DriverContext): ReplicaDriver {
  switch (kind) {
    case 'docker':
      return new DockerDriver({ app: context.app, instance: context.instance, service: context.service, docker: context.docker, log: context.log });
    case 'process':
      return new ProcessDriver({ app: context.app, dataDir: context.dataDir, serverScript: context.serverScript, service: context.service });
    case 'swarm':
      return new SwarmDriver({ app: context.app, instance: context.instance, docker: context.docker, service: context.swarmService, log: context.log });
  }
}
