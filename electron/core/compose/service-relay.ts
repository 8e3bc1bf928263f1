// The relay that answers to a scaled Compose service's name inside its project's networks: a small container that
// forwards each connection to HAProxy's frontend for the service (over a UNIX socket in a folder mounted into it), so
// `http://api:8000` from another container reaches the replicas through the balancer and its drains, as from outside.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { APP_LABEL, INSTANCE_LABEL } from '../replicas/replica-driver.js';
import { message, statusCode } from '../replicas/engine-errors.js';
import type { ServiceOrigin } from './service-origin.js';

/** Which ScaleDeck service a relay container serves, and the hash of what it was made for (recreated when it changes). */
export const RELAY_FOR_LABEL = 'scaledeck.relay-for';
const RELAY_SPEC_LABEL = 'scaledeck.relay-spec';
const SOCKET_NAME = 'http.sock';
const IN_CONTAINER_DIR = '/relay';

// One connection in, one out, each end closed with the other; SIGTERM ends it at once (callers reconnect to the new one).
const RELAY_SCRIPT = [
  "const net = require('net');",
  `const target = ${JSON.stringify(`${IN_CONTAINER_DIR}/${SOCKET_NAME}`)};`,
  'const port = Number(process.env.RELAY_PORT);',
  'net.createServer({ noDelay: true }, (client) => {',
  '  const upstream = net.connect(target);',
  '  client.pipe(upstream).on(\'error\', () => client.destroy());',
  '  upstream.pipe(client).on(\'error\', () => upstream.destroy());',
  '  client.on(\'error\', () => upstream.destroy());',
  '  upstream.on(\'error\', () => client.destroy());',
  '}).listen(port, \'0.0.0.0\');',
  "process.on('SIGTERM', () => process.exit(0));",
].join('\n');

/** The folder holding a service's relay socket: short (a UNIX socket path has 107 bytes) and one per service. */
export function relaySocketDir(dataDir: string, service: string): string {
  return path.join(dataDir, 'relays', createHash('sha256').update(service).digest('hex').slice(0, 12));
}

export const relaySocketPath = (dataDir: string, service: string): string => path.join(relaySocketDir(dataDir, service), SOCKET_NAME);

export interface RelayTarget {
  /** The ScaleDeck service. */
  service: string;
  origin: ServiceOrigin;
  /** The port callers use (the service's container port, as under Compose). */
  port: number;
}

export interface ServiceRelayOptions {
  docker: Dockerode;
  app: string;
  instance?: string;
  dataDir: string;
  /** The image the relay runs on: any with `node` (the sample api's). */
  image: string;
}

export class ServiceRelays {
  constructor(private readonly options: ServiceRelayOptions) {}

  private name(service: string): string {
    return `${this.options.app}-relay-${createHash('sha256').update(service).digest('hex').slice(0, 12)}`;
  }

  private specHash(target: RelayTarget): string {
    const networks = target.origin.runtime.networks.map((n) => n.name).sort();
    return createHash('sha256').update(JSON.stringify([this.options.image, target.port, target.origin.service, networks])).digest('hex').slice(0, 12);
  }

  /** Starts the relay, or keeps the one running when it was made for the same networks and port; resolves once it runs. */
  async ensure(target: RelayTarget): Promise<void> {
    const { docker } = this.options;
    const name = this.name(target.service);
    const hash = this.specHash(target);
    const existing = await this.inspect(name);
    if (existing && existing.Config.Labels?.[RELAY_SPEC_LABEL] === hash && existing.State.Running) return;
    if (existing) await this.removeContainer(existing);
    const [first, ...rest] = target.origin.runtime.networks;
    if (!first) return;
    const dir = relaySocketDir(this.options.dataDir, target.service);
    mkdirSync(dir, { recursive: true });
    const alias = { Aliases: [target.origin.service] };
    let container: Dockerode.Container;
    try {
      container = await docker.createContainer({
        name,
        Image: this.options.image,
        Entrypoint: ['node', '-e', RELAY_SCRIPT],
        Cmd: [],
        Env: [`RELAY_PORT=${target.port}`],
        Labels: {
          // Not MANAGED_LABEL: a relay is no replica, and no driver may adopt it as one.
          [APP_LABEL]: this.options.app, [RELAY_FOR_LABEL]: target.service, [RELAY_SPEC_LABEL]: hash,
          ...(this.options.instance ? { [INSTANCE_LABEL]: this.options.instance } : {}),
        },
        Healthcheck: { Test: ['NONE'] },
        HostConfig: {
          NetworkMode: first.name,
          Binds: [`${dir}:${IN_CONTAINER_DIR}`],
          RestartPolicy: { Name: 'unless-stopped' },
          SecurityOpt: ['no-new-privileges'],
          PidsLimit: 64,
          Memory: 64 * 2 ** 20,
        },
        NetworkingConfig: { EndpointsConfig: { [first.name]: alias } },
      });
    } catch (error) {
      if (statusCode(error) === 404) throw new Error(`the relay for ${target.service} runs on ${this.options.image}, which is not here (or the network ${first.name} is missing): build it with \`npm run image\``);
      throw new Error(`could not create the relay for ${target.service}: ${message(error)}`);
    }
    try {
      for (const network of rest) await docker.getNetwork(network.name).connect({ Container: container.id, EndpointConfig: alias });
      await container.start();
    } catch (error) {
      await container.remove({ force: true }).catch(() => {});
      throw new Error(`could not start the relay for ${target.service}: ${message(error)}`);
    }
  }

  /** Stops and removes a service's relay; nothing when there is none. Never touches a container that is not ours. */
  async remove(service: string): Promise<void> {
    const existing = await this.inspect(this.name(service));
    if (existing) await this.removeContainer(existing);
  }

  private async inspect(name: string): Promise<Dockerode.ContainerInspectInfo | undefined> {
    try {
      const info = await this.options.docker.getContainer(name).inspect();
      const labels = info.Config.Labels ?? {};
      const ours = labels[APP_LABEL] === this.options.app && labels[RELAY_FOR_LABEL] !== undefined
        && (this.options.instance === undefined || labels[INSTANCE_LABEL] === this.options.instance);
      return ours ? info : undefined;
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw error;
    }
  }

  private async removeContainer(info: Dockerode.ContainerInspectInfo): Promise<void> {
    await this.options.docker.getContainer(info.Id).remove({ force: true }).catch((error: unknown) => {
      if (statusCode(error) !== 404 && statusCode(error) !== 409) throw error;
    });
  }
}
