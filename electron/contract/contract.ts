// The one typed API between the UI and the control plane: commands, input schemas, routes and channels; the data they
// carry (the snapshot, samples, events) is in views.ts, re-exported here.
// Implemented by the Electron shell (IPC) and the headless shell (HTTP + WebSocket); used by renderer/bridge.ts.
import './zod-setup.js';
import { z } from 'zod';
import { inputShapeProblem } from './input-shape.js';
import { SettingsShape, type ScalingRule, type Settings, type SettingsPatch } from './settings-schema.js';
import { ComposeInput, ComposeProjectInput, type ComposeAccess, type ComposeProjectView } from './compose-contract.js';
import type { ControlEvent, ForecastView, LoadStatus, RolloutView, Sample, ServiceView, SetupCheck, Snapshot, WhatIfResult } from './views.js';

export type { ScalingRule, Settings, SettingsPatch };

/** A service's first rule, the one the dashboard's sliders and readouts show. */
export const firstRule = (settings: Pick<Settings, 'rules'>): ScalingRule => settings.rules[0] as ScalingRule;
export type { ComposeAccess, ComposeInput, ComposeProjectInput, ComposeProjectView, ComposeServiceView, ComposeServiceState } from './compose-contract.js';

export type * from './views.js';

/**
 * What crosses the bridge: a result, or an error a person can act on (with the offending field). `notFound`: what was
 * asked for does not exist yet (the headless shell answers 404), e.g. a forecast before a day of history.
 */
export type Result<T> = { result: T } | { error: string; field?: string; notFound?: true };

// Input schemas: every command's input is validated against these before anything happens.
export const ScaleInput = z.strictObject({
  replicas: z.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(100, 'must be 100 or less'),
});
export const ModeInput = z.strictObject({ mode: z.enum(['auto', 'manual'], { error: 'must be "auto" or "manual"' }) });
export const RemoveReplicaInput = z.strictObject({ id: z.string().min(1, 'must name a replica').max(128) });
export const SettingsPatchInput = z.record(z.string(), z.unknown(), { error: 'must be an object of settings' });
export const LoadInput = z.strictObject({
  rate: z.number().int().min(1, 'must be at least 1 request/s').max(5000, 'must be 5000 requests/s or less'),
  durationS: z.number().int().min(1, 'must be at least 1 s').max(600, 'must be 600 s or less'),
  path: z.string().regex(/^\/[\x21-\x7e]*$/, 'must be a path starting with /').max(200).optional(),
});

const epochMs = z.number({ error: 'must be a time in epoch milliseconds' }).int('must be whole milliseconds').min(0, 'must be 0 or more');
const timeRange = { fromMs: epochMs.optional(), toMs: epochMs.optional() };
const orderedRange = (range: { fromMs?: number; toMs?: number }) => range.fromMs === undefined || range.toMs === undefined || range.fromMs <= range.toMs;
const orderedRangeIssue = { message: 'must not be before fromMs', path: ['toMs'] };
/** A time range; either end may be left out (to: now; from: an hour before `to`). */
export const HistoryInput = z.strictObject(timeRange).refine(orderedRange, orderedRangeIssue);
/** A what-if replay: settings to try (checked like updateSettings) over a recorded range. */
export const WhatIfInput = z.strictObject({ patch: SettingsPatchInput, ...timeRange }).refine(orderedRange, orderedRangeIssue);

/**
 * A new service: its name and any of its settings (the others take their defaults). Each value is checked here as a
 * settings patch's is; the cross-field rules, the name and the frontend's address by the control plane.
 */
export const AddServiceInput = SettingsShape.partial().extend({ name: z.string({ error: 'must name the service' }) });
/** The service to remove (DELETE /api/services/{name} names it in the path). */
export const RemoveServiceInput = z.strictObject({ name: z.string({ error: 'must name the service' }) });

export type AddServiceInput = z.infer<typeof AddServiceInput>;
export type RemoveServiceInput = z.infer<typeof RemoveServiceInput>;
export type ScaleInput = z.infer<typeof ScaleInput>;
export type HistoryInput = z.infer<typeof HistoryInput>;
export type WhatIfInput = z.infer<typeof WhatIfInput>;
export type ModeInput = z.infer<typeof ModeInput>;
export type RemoveReplicaInput = z.infer<typeof RemoveReplicaInput>;
export type LoadInput = z.infer<typeof LoadInput>;

/** The commands, once: name -> [input schema, result type]. Both shells and the bridge derive from this. */
export const commandInputs = {
  getSnapshot: null,
  getServices: null,
  addService: AddServiceInput,
  removeService: RemoveServiceInput,
  planCompose: ComposeInput,
  applyCompose: ComposeInput,
  getComposeProjects: null,
  removeCompose: ComposeProjectInput,
  getHistory: HistoryInput.optional(),
  getForecast: null,
  whatIf: WhatIfInput,
  updateSettings: SettingsPatchInput,
  scale: ScaleInput,
  setMode: ModeInput,
  removeReplica: RemoveReplicaInput,
  startLoad: LoadInput,
  stopLoad: null,
  buildImage: null,
  recheck: null,
  rollback: null,
  retryRollout: null,
} as const;

export type CommandName = keyof typeof commandInputs;

/**
 * The commands that act on one service (those with a `service` route below): their input may name it as `service`,
 * and must when there are several; the shells resolve it (dispatch.ts) and hand it to the command as its second argument.
 */
export type ServiceCommandName = 'getHistory' | 'getForecast' | 'whatIf' | 'updateSettings' | 'scale' | 'setMode' | 'removeReplica' | 'startLoad' | 'rollback' | 'retryRollout';

/** Names the service a per-service command is for; it may be left out while there is one service. */
export interface ServiceRef {
  service?: string;
}

export interface ScaleDeckApi {
  getSnapshot(): Promise<Result<Snapshot>>;
  /** Every service's view (GET /api/services; GET /api/services/{name} for one). */
  getServices(): Promise<Result<ServiceView[]>>;
  /** Adds a service (its settings checked like updateSettings, its frontend bound by a hitless reload) and starts its replicas. */
  addService(input: AddServiceInput): Promise<Result<ServiceView>>;
  /** Drains a service's replicas, then takes its frontend and backend out of HAProxy (hitless) and forgets its settings. */
  removeService(input: RemoveServiceInput): Promise<Result<{ removed: string }>>;
  /** Reads a Compose file into a plan (which services ScaleDeck scales, which it leaves to Compose and why); starts nothing. */
  planCompose(input: ComposeInput, access?: ComposeAccess): Promise<Result<ComposeProjectView>>;
  /** Starts a plan: its scaled services as services of this app; again with an edited file, changes only what changed. */
  applyCompose(input: ComposeInput, access?: ComposeAccess): Promise<Result<ComposeProjectView>>;
  /** The projects applied, with the state of what they leave to Compose. */
  getComposeProjects(): Promise<Result<ComposeProjectView[]>>;
  /** Drains and removes what ScaleDeck started for a project; what Compose runs is left alone. */
  removeCompose(input: ComposeProjectInput): Promise<Result<{ removed: string[] }>>;
  /** Recorded samples over a range (default: the last hour), at most ~2000 points with each bucket's min and max. */
  getHistory(input?: HistoryInput & ServiceRef): Promise<Result<Sample[]>>;
  /** The load forecast for the next 2 h (not found before a day of history, or with `forecast: "off"`). */
  getForecast(input?: ServiceRef): Promise<Result<ForecastView>>;
  /** Replays the policy with `patch` applied over recorded samples (default: the last hour). */
  whatIf(input: WhatIfInput & ServiceRef): Promise<Result<WhatIfResult>>;
  updateSettings(patch: SettingsPatch & ServiceRef): Promise<Result<Settings>>;
  scale(input: ScaleInput & ServiceRef): Promise<Result<{ desired: number; mode: Settings['mode'] }>>;
  setMode(input: ModeInput & ServiceRef): Promise<Result<{ mode: Settings['mode'] }>>;
  removeReplica(input: RemoveReplicaInput & ServiceRef): Promise<Result<{ removed: string }>>;
  /** A bounded load run against the service's frontend (one run at a time, for the whole app). */
  startLoad(input: LoadInput & ServiceRef): Promise<Result<LoadStatus>>;
  stopLoad(): Promise<Result<LoadStatus>>;
  buildImage(): Promise<Result<{ started: boolean }>>;
  recheck(): Promise<Result<SetupCheck[]>>;
  /** Restores the settings of what a replica was before the last rollout; the old generation then rolls back in. */
  rollback(input?: ServiceRef): Promise<Result<RolloutView>>;
  /** Resumes a paused rollout (the new version gets a fresh deadline). */
  retryRollout(input?: ServiceRef): Promise<Result<RolloutView>>;
  /** Live updates; returns the function that unsubscribes. */
  subscribe(listener: (message: StreamMessage) => void): () => void;
}

/** The control plane as the shells see it: the contract's commands, already returning Result; per-service ones also get the service. */
export type CommandTarget = {
  [C in Exclude<keyof ScaleDeckApi, 'subscribe'>]: C extends ServiceCommandName
    ? (input: Parameters<ScaleDeckApi[C]>[0], service: string) => ReturnType<ScaleDeckApi[C]>
    : ScaleDeckApi[C];
} & {
  /** The services there are, to resolve a command's `service` against. */
  readonly serviceNames: readonly string[];
  /** True once the drain to zero has begun: the shells then refuse every command but those in READ_COMMANDS. */
  readonly shuttingDown?: boolean;
};

/** What may still be asked while ScaleDeck shuts down: reads, and stopping a load run. */
export const READ_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>(['getSnapshot', 'getServices', 'planCompose', 'getComposeProjects', 'getHistory', 'getForecast', 'whatIf', 'stopLoad']);
export const SHUTTING_DOWN_ERROR = 'ScaleDeck is shutting down; try again after it has started';

export type StreamMessage =
  | { type: 'sample'; sample: Sample }
  | { type: 'event'; event: ControlEvent }
  | { type: 'snapshot'; snapshot: Snapshot };

/**
 * The headless shell's HTTP routes, once: both server.ts and the renderer's HTTP bridge read this table.
 * Bodies are JSON; a success answers 200 with the command's result, a failure 4xx/5xx with `{error, field?}`.
 * Every call carries the token as `Authorization: Bearer <token>`; only the stream (which a browser cannot give a header)
 * also takes it as `?token=`.
 */
export interface HttpRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** A GET route's input comes from the query string: parameter -> input field (numbers only). */
  query?: Record<string, string>;
  /** A per-service command: also served at `/api/services/{name}` + this (the same method and input). */
  service?: string;
}

/** Where one service's commands are served: `/api/services/{name}` and a command's `service` suffix. */
export const SERVICES_PATH = '/api/services';

/** Where Compose projects are planned, applied, listed and removed. */
export const COMPOSE_PATH = '/api/compose';

export const httpRoutes: Record<CommandName, HttpRoute> = {
  getSnapshot: { method: 'GET', path: '/api/snapshot' },
  getServices: { method: 'GET', path: SERVICES_PATH },
  addService: { method: 'POST', path: SERVICES_PATH },
  removeService: { method: 'DELETE', path: `${SERVICES_PATH}/{name}` },
  planCompose: { method: 'POST', path: `${COMPOSE_PATH}/plan` },
  applyCompose: { method: 'POST', path: `${COMPOSE_PATH}/apply` },
  getComposeProjects: { method: 'GET', path: COMPOSE_PATH },
  removeCompose: { method: 'DELETE', path: `${COMPOSE_PATH}/{project}` },
  getHistory: { method: 'GET', path: '/api/history', query: { from: 'fromMs', to: 'toMs' }, service: '/history' },
  getForecast: { method: 'GET', path: '/api/forecast', service: '/forecast' },
  whatIf: { method: 'POST', path: '/api/whatif', service: '/whatif' },
  updateSettings: { method: 'PATCH', path: '/api/settings', service: '' },
  scale: { method: 'POST', path: '/api/scale', service: '/scale' },
  setMode: { method: 'POST', path: '/api/mode', service: '/mode' },
  removeReplica: { method: 'POST', path: '/api/replicas/remove', service: '/replicas/remove' },
  startLoad: { method: 'POST', path: '/api/load', service: '/load' },
  stopLoad: { method: 'DELETE', path: '/api/load' },
  buildImage: { method: 'POST', path: '/api/image/build' },
  recheck: { method: 'POST', path: '/api/checks' },
  rollback: { method: 'POST', path: '/api/rollout/rollback', service: '/rollout/rollback' },
  retryRollout: { method: 'POST', path: '/api/rollout/retry', service: '/rollout/retry' },
};

export const isServiceCommand = (command: CommandName): command is ServiceCommandName => httpRoutes[command].service !== undefined;
export const STREAM_PATH = '/api/stream';

/** The query parameters every API call may carry besides a route's own (the token, for the stream's sake). */
const SHARED_QUERY_PARAMS = new Set(['token']);

/** A GET route's input from its query string; undefined when none of its parameters is given. */
export function inputFromQuery(route: HttpRoute, params: URLSearchParams): { ok: true; value: unknown } | { ok: false; error: string; field: string } {
  const fields = route.query ?? {};
  const value: Record<string, number> = {};
  for (const [param, raw] of params) {
    if (SHARED_QUERY_PARAMS.has(param)) continue;
    const field = fields[param];
    const known = Object.keys(fields);
    if (field === undefined) return { ok: false, field: param, error: `${param}: is not a parameter of ${route.path}${known.length ? ` (use ${known.join(', ')})` : ''}` };
    const number = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(number)) return { ok: false, field: param, error: `${param}: must be a time in epoch milliseconds, got "${raw}"` };
    value[field] = number;
  }
  return { ok: true, value: Object.keys(value).length === 0 ? undefined : value };
}

/** IPC channel names, derived from the command names so that no channel is spelled twice. */
export const ipcChannel = (command: CommandName): string => `scaledeck:${command}`;
export const IPC_STREAM_CHANNEL = 'scaledeck:stream';
/** The desktop app's "Open Compose file…": the main process reads the file a person picked and hands it to the window. */
export const IPC_COMPOSE_FILE_CHANNEL = 'scaledeck:compose-file';

/** What only the desktop window has: files opened from its menu, with their folder (a browser cannot send one). */
export interface ComposeFileSource {
  /** Calls `listener` with each Compose file opened from the menu; returns the function that stops it. */
  onComposeFile(listener: (input: ComposeInput) => void): () => void;
}

/**
 * Settings that name a program ScaleDeck runs (`haproxyPath`) or an engine it sends its Docker credentials to
 * (`dockerHost`): set only from this machine's side (the settings file, the environment, the command line, the
 * desktop window), never by whoever holds the HTTP token.
 */
export const LOCAL_ONLY_SETTINGS = ['haproxyPath', 'dockerHost'] as const;


/** A command that takes no input accepts none, or an empty object; a field in it is a mistake worth saying. */
function noInput(command: CommandName, input: unknown): { ok: true; value: undefined } | { ok: false; error: string; field: string } {
  if (input === undefined || input === null) return { ok: true, value: undefined };
  const isObject = typeof input === 'object' && !Array.isArray(input);
  const field = isObject ? Object.keys(input)[0] : undefined;
  if (isObject && field === undefined) return { ok: true, value: undefined };
  if (field !== undefined) return { ok: false, field, error: `${field}: is not a known field (${command} takes no input)` };
  return { ok: false, field: 'input', error: `input: ${command} takes no input` };
}

/** Validates a command's input; returns the parsed value or an error naming the field. */
export function parseCommandInput(command: CommandName, input: unknown): { ok: true; value: unknown } | { ok: false; error: string; field?: string } {
  const schema = commandInputs[command];
  if (schema === null) return noInput(command, input);
  // A record schema drops `__proto__` silently; a request that carries one is refused instead.
  const shape = inputShapeProblem(input);
  if (shape !== undefined) return { ok: false, field: shape.field, error: `${shape.field}: ${shape.problem}` };
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  // A misspelt field is the likelier mistake than the missing one it leaves: name it first.
  const issue = parsed.error.issues.find((i) => i.code === 'unrecognized_keys') ?? parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const field = String(issue.keys[0]);
    return { ok: false, field, error: `${field}: is not a known field` };
  }
  const field = issue?.path.length ? issue.path.join('.') : undefined;
  const message = issue?.message ?? 'is invalid';
  return { ok: false, field, error: field ? `${field}: ${message}` : message };
}
