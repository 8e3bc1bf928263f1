// The plan read from a Compose file: which services ScaleDeck scales and how, which it leaves to Compose and why.

/** What a plan is made from: the file's text and where its relative paths point. */
export interface ComposeSource {
  yaml: string;
  /** The folder relative paths resolve against (build contexts, env_file, secrets, configs, binds, `.env`). */
  projectDir?: string;
  /** Variables for `${VAR}` interpolation, over the project's `.env` (the CLI passes its environment, the API the body's). */
  env?: Record<string, string>;
  /** The file's name in messages (`compose.yaml` when not given). */
  fileName?: string;
  /** The project name when the file has no `name:` (Compose's default: the project folder's name). */
  projectName?: string;
  /**
   * False for a file that came over the HTTP API without a folder opened on this machine: then it may name no host
   * file (bind mount, env_file, secret, config, build context), so a caller with the token cannot read or mount them.
   */
  hostFiles?: boolean;
}

/** A read-only file or folder a replica gets: a `:ro` bind, a secret (`/run/secrets/<name>`) or a config. */
export interface ReplicaMount {
  /** Absolute path on the host. */
  source: string;
  /** Absolute path in the container. */
  target: string;
}

/** A network of the project as Docker names it. */
export interface ComposeNetwork {
  /** Its key under `networks:` in the file. */
  key: string;
  /** The engine's name: `<project>_<key>`, or the `name:` the file gives, or the external network's name. */
  name: string;
  external: boolean;
  internal: boolean;
  /** `driver:` when the file sets one (bridge when not). */
  driver?: string;
}

/** Everything a replica of a scaled service is started with beyond ScaleDeck's own settings. */
export interface ReplicaRuntime {
  environment: Record<string, string>;
  /** Exec form; a string command is split as Compose splits it (shell words). */
  command?: string[];
  entrypoint?: string[];
  workingDir?: string;
  user?: string;
  /** Engine names of the networks the replica joins, with the service's own aliases there (never its service name). */
  networks: Array<{ name: string; aliases: string[] }>;
  mounts: ReplicaMount[];
  /** The file's `labels:` (carried as they are; ScaleDeck's own labels are added by the driver). */
  labels: Record<string, string>;
  extraHosts: string[];
  /** Carried where Docker supports them; none of these decides whether or how a service scales. */
  shmSizeBytes?: number;
  ulimits?: Array<{ name: string; soft: number; hard: number }>;
  capAdd?: string[];
  capDrop?: string[];
  readOnlyRootfs?: boolean;
  tmpfs?: string[];
  stopSignal?: string;
  stopGracePeriodS?: number;
}

export interface PlannedBuild {
  /** Absolute folder. */
  context: string;
  dockerfile?: string;
  target?: string;
  args: Record<string, string>;
}

export interface PlannedService {
  name: string;
  /** True: ScaleDeck runs and scales its replicas. False: it is left to Compose, `reasons` says why. */
  scale: boolean;
  reasons: string[];
  /** Things changed or ignored that the person should know (a dropped `container_name`, a key not carried). */
  warnings: string[];
  image?: string;
  build?: PlannedBuild;
  /** The port the service serves HTTP on inside its container. */
  containerPort?: number;
  /** The host side of its published port: HAProxy's frontend for it, so its URL stays what it was under Compose. */
  frontend?: { host: string; port: number };
  /** `deploy.replicas`: the starting count. */
  replicas?: number;
  /** ScaleDeck settings for the service: from `deploy.resources.limits`, `healthcheck` and the `x-scaledeck` block. */
  settings: Record<string, unknown>;
  /** Present when `scale` is true. */
  runtime?: ReplicaRuntime;
  dependsOn: string[];
  profiles: string[];
}

export interface ComposePlan {
  project: string;
  /** The file's name as given, for messages and the command below. */
  file: string;
  services: PlannedService[];
  networks: ComposeNetwork[];
  /** The command that starts what is left to Compose (`docker compose -f … up -d db cache`), or null when nothing is. */
  composeUp: string | null;
  /** About the file as a whole: an unknown top-level key, a variable used unset outside any service. */
  warnings: string[];
}

/** A file ScaleDeck cannot plan from: a 400 naming the file, the service (when one) and the key. */
export class ComposeFileError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly problem: string,
    readonly service?: string,
  ) {
    super(`${file}: ${service === undefined ? '' : `service "${service}": `}${key}: ${problem}`);
    this.name = 'ComposeFileError';
  }
}
