// How to reach the Docker engine named by the `dockerHost` setting, with TLS the way the docker CLI sets it up.
import type Dockerode from 'dockerode';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { homedir } from 'node:os';
import path from 'node:path';

/** The port Docker serves TLS on by convention; the docker CLI and docker-modem both assume TLS there. */
const DOCKER_TLS_PORT = 2376;

/** dockerode's options, plus the `agent` docker-modem passes to every request though dockerode's types omit it. */
export type DockerConnectionOptions = Dockerode.DockerOptions & { agent?: https.Agent };

export interface DockerConnectionEnv {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Reads a certificate file; undefined when it does not exist. */
  readPem?: (file: string) => Buffer | undefined;
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * dockerode options for a `dockerHost` setting: a socket path, unix://, or tcp://host:port; undefined (the
 * engine's default socket, or DOCKER_HOST) when empty. A tcp endpoint uses TLS when DOCKER_TLS_VERIFY is set or the
 * port is 2376, with ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH (default ~/.docker), as the docker CLI does;
 * the server's certificate is verified against ca.pem only when DOCKER_TLS_VERIFY is set.
 */
export function dockerOptionsFor(dockerHost: string, context: DockerConnectionEnv = {}): DockerConnectionOptions | undefined {
  if (dockerHost === '') return undefined;
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  if (dockerHost.startsWith('/')) return { socketPath: dockerHost };
  if (!dockerHost.startsWith('tcp://')) {
    throw new Error(`dockerHost: ${JSON.stringify(dockerHost)} is not a socket path, unix:// or tcp://host:port address`);
  }
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  const port = Number(url.port || 2375);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const env = context.env ?? process.env;
  const verify = (env.DOCKER_TLS_VERIFY ?? '') !== '';
  if (!verify && port !== DOCKER_TLS_PORT) return { host, port, protocol: 'http' };

  const certDir = env.DOCKER_CERT_PATH || path.join(context.home ?? homedir(), '.docker');
  const readPem = context.readPem ?? readIfPresent;
  const [ca, cert, key] = ['ca.pem', 'cert.pem', 'key.pem'].map((name) => readPem(path.join(certDir, name)));
  if (verify && ca === undefined) {
    throw new Error(`dockerHost: ${dockerHost} uses TLS with DOCKER_TLS_VERIFY set, but ${path.join(certDir, 'ca.pem')} is missing; set DOCKER_CERT_PATH to the folder with ca.pem, cert.pem and key.pem`);
  }
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error(`dockerHost: ${dockerHost} uses TLS, but ${certDir} holds only one of cert.pem and key.pem; a client certificate needs both`);
  }
  return {
    host,
    port,
    protocol: 'https',
    ...(ca ? { ca } : {}),
    ...(cert && key ? { cert, key } : {}),
    // Without DOCKER_TLS_VERIFY the docker CLI encrypts but does not check who answers; so does this.
    ...(verify ? {} : { agent: new https.Agent({ rejectUnauthorized: false }) }),
  };
}
