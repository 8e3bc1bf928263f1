// The Docker side of a Compose project: its networks (made as Compose would make them, when missing), the state of
// the services it leaves to Compose (read by Compose's labels, never changed), and the relays of its scaled services.
import { createServer } from 'node:net';
import type Dockerode from 'dockerode';
import type { ComposeServiceState } from '../../contract/compose-contract.js';
import { imageExists } from '../image/docker-images.js';
import { statusCode } from '../replicas/engine-errors.js';
import type { ComposeEngine } from './compose-projects.js';
import { planCompose } from './compose-plan.js';
import type { ComposePlan } from './compose-plan-types.js';
import { ServiceRelays } from './service-relay.js';
import { buildContext } from './context-build.js';

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
const COMPOSE_NETWORK_LABEL = 'com.docker.compose.network';
/** On a project network ScaleDeck made (Compose had not): the app that made it, so removing the project removes it. */
const NETWORK_MADE_BY_LABEL = 'scaledeck.network-made-by';

export interface DockerComposeEngineOptions {
  docker: Dockerode;
  app: string;
  instance: string;
  dataDir: string;
  relayImage: string;
  log?: (line: string) => void;
}

function stateOf(container: Dockerode.ContainerInfo): ComposeServiceState {
  if (container.State !== 'running') return 'exited';
  if (/\(unhealthy\)/.test(container.Status)) return 'unhealthy';
  if (/\(health: starting\)/.test(container.Status)) return 'starting';
  return 'running';
}

export function dockerComposeEngine(options: DockerComposeEngineOptions): ComposeEngine {
  const { docker } = options;
  const relays = new ServiceRelays({ docker, app: options.app, instance: options.instance, dataDir: options.dataDir, image: options.relayImage });
  return {
    plan: (input) => planCompose(input),
    relayImage: options.relayImage,
    imageExists: (image) => imageExists(docker, image),
    build: (build, tag) => buildContext(docker, build, tag, (line) => options.log?.(line)),
    async ensureNetworks(plan: ComposePlan) {
      const used = new Set(plan.services.filter((s) => s.scale).flatMap((s) => s.runtime?.networks.map((n) => n.name) ?? []));
      for (const network of plan.networks.filter((n) => used.has(n.name))) {
        try {
          await docker.getNetwork(network.name).inspect();
          continue;
        } catch (error) {
          if (statusCode(error) !== 404) throw error;
        }
        if (network.external) throw new Error(`networks.${network.key}: the external network ${network.name} does not exist; create it first (docker network create ${network.name})`);
        // Labelled as Compose labels its own, so `docker compose up` later takes it as the project's network.
        await docker.createNetwork({
          Name: network.name,
          Driver: network.driver ?? 'bridge',
          Internal: network.internal,
          CheckDuplicate: true,
          Labels: { [COMPOSE_PROJECT_LABEL]: plan.project, [COMPOSE_NETWORK_LABEL]: network.key, [NETWORK_MADE_BY_LABEL]: options.app },
        });
      }
    },
    async states(plan: ComposePlan) {
      const containers = await docker.listContainers({ all: true, filters: { label: [`${COMPOSE_PROJECT_LABEL}=${plan.project}`] } });
      const states = new Map<string, ComposeServiceState>();
      for (const container of containers) {
        const service = container.Labels[COMPOSE_SERVICE_LABEL];
        if (!service) continue;
        const state = stateOf(container);
        // One running container of a service is enough to call it running.
        if (states.get(service) !== 'running') states.set(service, state);
      }
      return states;
    },
    async removeNetworks(plan: ComposePlan) {
      for (const network of plan.networks.filter((n) => !n.external)) {
        let info: Dockerode.NetworkInspectInfo;
        try {
          info = (await docker.getNetwork(network.name).inspect()) as Dockerode.NetworkInspectInfo;
        } catch {
          continue;
        }
        // Only one this app made, and only once empty: a container Compose started there keeps its network.
        if (info.Labels?.[NETWORK_MADE_BY_LABEL] !== options.app || Object.keys(info.Containers ?? {}).length > 0) continue;
        await docker.getNetwork(network.name).remove().catch(() => undefined);
      }
    },
    ensureRelay: (service, origin, port) => relays.ensure({ service, origin, port }),
    removeRelay: (service) => relays.remove(service),
  };
}

/** A port the OS has free on `host` right now, for a service whose Compose file publishes none. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
