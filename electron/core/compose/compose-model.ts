// The Compose file after normalisation: one canonical shape per key, so the later passes never look at YAML forms.
import type { YamlMap } from './compose-fields.js';
import type { PortMapping } from './compose-ports.js';
import type { VolumeMount } from './compose-volumes.js';

/** A service's grant of a secret or config: which one, and where it goes in the container (the default when absent). */
export interface FileGrant {
  source: string;
  target?: string;
  key: string;
}

export interface NormalService {
  name: string;
  /** The keys the file sets on the service, to warn about the ones not carried. */
  keys: string[];
  /** The keys under `deploy:`, for the same reason. */
  deployKeys: string[];
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string; args: Record<string, string> };
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string | null>;
  envFiles: Array<{ path: string; required: boolean; raw: boolean; key: string }>;
  ports: PortMapping[];
  expose: Array<{ port: number; protocol: string }>;
  /** Exec form (`CMD`, `CMD-SHELL` or `NONE` first); undefined when the file sets none or disables it. */
  healthTest?: string[];
  replicas?: number;
  cpus?: number;
  memoryBytes?: number;
  secrets: FileGrant[];
  configs: FileGrant[];
  volumes: VolumeMount[];
  /** Whose volumes `volumes_from` mounts: a service's name, or `container <name>`. */
  volumesFrom: string[];
  /** Undefined: the implicit `default` network. */
  networks?: Map<string, { aliases: string[] }>;
  networkMode?: string;
  dependsOn: string[];
  profiles: string[];
  containerName?: string;
  workingDir?: string;
  user?: string;
  labels: Record<string, string>;
  extraHosts: string[];
  shmSizeBytes?: number;
  ulimits?: Array<{ name: string; soft: number; hard: number }>;
  capAdd: string[];
  capDrop: string[];
  readOnly?: boolean;
  tmpfs: string[];
  stopSignal?: string;
  stopGracePeriodS?: number;
  xScaledeck: YamlMap;
  /** Keys dropped for a bad value that decides nothing about scaling (`labels: 5`). */
  warnings: string[];
}

export interface NormalNetwork {
  name?: string;
  external: boolean;
  internal: boolean;
  driver?: string;
}

/** A top-level secret or config: where its content comes from. */
export interface FileSource {
  file?: string;
  environment?: string;
  content?: string;
  external: boolean;
}

export interface NormalProject {
  name: string;
  services: NormalService[];
  networks: Map<string, NormalNetwork>;
  volumes: Set<string>;
  secrets: Map<string, FileSource>;
  configs: Map<string, FileSource>;
  /** About the file as a whole (an unknown top-level key, a variable used unset outside any service). */
  warnings: string[];
}
