// The control plane's parts as it uses them: the interfaces the composition root fills with real objects, and
// unit tests with in-memory ones.
import type { CommandTarget, Snapshot, StreamMessage } from '../contract/contract.js';
import type { Settings } from '../contract/settings-schema.js';
import type { Clock } from './clock.js';
import type { EventStream } from './event-stream.js';
import type { ImageBuildState } from './image/image-build-job.js';
import type { LoadGenerator } from './load-generator.js';
import type { SettingsStore } from './settings-store.js';
import type { SetupProbes } from './setup-checks.js';
import type { ServiceParts } from './service/compose-service.js';
import type { ComposeEngine } from './compose/compose-projects.js';

export interface ControlPlane extends CommandTarget {
  subscribe(listener: (message: StreamMessage) => void): () => void;
  frontendUrl(): string;
  statsUrl(): string;
  readonly settings: Settings;
  snapshot(): Snapshot;
  shutdown(options: { keepRunning: boolean }): Promise<void>;
}

/** The supervised HAProxy as the control plane uses it (haproxy/supervisor.ts). */
export interface HaproxyProcess {
  readonly running: boolean;
  readonly version: string | null;
  readonly adopted: boolean;
  start(): Promise<void>;
  /**
   * Applies a changed config in place (the rendered config is read again): the listening sockets and the servers
   * carry over to a new worker; resolves once it serves with all of them.
   */
  reload(): Promise<void>;
  /** Throws HAProxy's own words when it would refuse this config text; changes nothing. */
  checkConfig(text: string): Promise<void>;
  stop(): Promise<void>;
  /** Leaves it serving when the app goes. */
  detach(): void;
  /** The config it runs differs from what the current settings render. */
  configIsStale(): Promise<boolean>;
  on(event: 'down', listener: (reason: string) => void): unknown;
  on(event: 'restarted', listener: () => void): unknown;
  on(event: 'reloaded', listener: () => void): unknown;
}

/** The Docker engine as the control plane uses it beyond the driver: its status, and the sample image. */
export interface DockerEngine {
  status(): Promise<{ reachable: boolean; version: string | null; error?: string }>;
  /** Starts building the sample image under `tag`; `done` is null when a build was already running. */
  buildImage(tag: string): { started: boolean; done: Promise<{ tag: string; base: string; baseImage: string }> | null };
  readonly imageBuild: ImageBuildState;
}

export interface ControlPlaneParts {
  dataDir: string;
  clock: Clock;
  store: SettingsStore;
  haproxy: HaproxyProcess;
  docker: DockerEngine;
  events: EventStream;
  load: LoadGenerator;
  probes: SetupProbes;
  /** A new frontend/stats port is free for HAProxy to take; else who holds it. */
  portBlocker: (port: number, host: string) => Promise<string | null>;
  statsUrl: () => string;
  /** A service's frontend as a browser on this machine reaches it. */
  frontendUrlOf: (settings: Settings) => string;
  /** The services at start, in order; more are composed by `composeService` as they are added. */
  services: ServiceParts[];
  composeService: (name: string) => Promise<ServiceParts>;
  /** The config HAProxy would run with these services' settings (one of them changed, or one more), for its check. */
  renderConfigFor: (settingsOf: (name: string) => Settings | undefined, names: readonly string[]) => string;
  /** Follows the request rate of the whole app (the request log's sampling). */
  followRate: (rps: number | null) => void;
  /** The sample api's image tag: built without asking when it is the configured image and missing. */
  sampleImage: string;
  /** Releases the data folder for the next instance; the last step of a shutdown. */
  releaseDataFolder: () => Promise<void>;
  /** Compose files: reading them, the project's networks and relays; null without a Docker engine (and in fakes). */
  composeEngine: ComposeEngine | null;
  /** A free port on `host`, for a service from a Compose file that publishes none. */
  freePort: (host: string) => Promise<number>;
  /** The listener for HAProxy's per-request timings, closed on shutdown. */
  requestLog: { close(): Promise<void> };
}
