// The settings of ScaleDeck: their schema, defaults and cross-field rules (names are public API). Imports only zod,
// the input-shape rule and HAProxy's own value rules (which import nothing), so the contract, the shells, core and
// the renderer can all share it, and a saved value is always one HAProxy's config can carry.
import './zod-setup.js';
import { z } from 'zod';
import { frontendHostProblem, healthPathProblem } from '../../haproxy/config-values.js';
import { inputShapeProblem } from './input-shape.js';
import { SchedulesShape, schedulesProblem } from './schedule-schema.js';

export const DRIVERS = ['docker', 'process', 'swarm'] as const;
export const MODES = ['auto', 'manual'] as const;
export const POLICIES = ['threshold', 'target'] as const;
export const METRICS = ['replica-cpu', 'host-cpu', 'rps-per-replica', 'replica-memory', 'latency-p95'] as const;
/** Metrics measured in %, whose thresholds and targets cannot pass 100. */
export const PERCENT_METRICS: ReadonlySet<string> = new Set(['replica-cpu', 'host-cpu', 'replica-memory']);
export const MAX_RULES = 4;
/** off: no forecast; show: drawn with its error; scale: also raises the count ahead of the forecast load. */
export const FORECAST_MODES = ['off', 'show', 'scale'] as const;

const port = z.number().int().min(1, 'must be a port from 1 to 65535').max(65535, 'must be a port from 1 to 65535');
const threshold = z.number().min(0, 'must be 0 or more').max(10000, 'must be 10000 or less');
const targetValue = z.number().gt(0, 'must be more than 0').max(10000, 'must be 10000 or less');
const tolerance = z.number().min(0, 'must be 0 or more').max(1, 'must be 1 (100 %) or less');

/** One scaling rule: what to measure, the threshold policy's two thresholds, and the target policy's value. */
export const RuleShape = z.strictObject({
  metric: z.enum(METRICS),
  scaleUpThreshold: threshold,
  scaleDownThreshold: threshold,
  targetValue,
});
export type ScalingRule = z.infer<typeof RuleShape>;
/** The flat settings that are shorthand for the first rule; `rules` is what is stored, these are derived from it. */
export const RULE_FIELDS = ['metric', 'scaleUpThreshold', 'scaleDownThreshold', 'targetValue'] as const;

const seconds = (max: number) => z.number().min(0, 'must be 0 or more').max(max, `must be ${max} or less`);

/** A string field checked by a rule that says what is wrong, or undefined when nothing is. */
const checkedBy = (problem: (value: string) => string | undefined) =>
  z.string().max(1024).superRefine((value, ctx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });

/** What dockerode (and the docker CLI) can connect to; empty means the local engine's default socket. */
export function dockerHostProblem(host: string): string | undefined {
  if (host === '' || /^\/\S+$/.test(host) || /^unix:\/\/\/\S+$/.test(host)) return undefined;
  const tcp = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(host);
  if (tcp && Number(tcp[2]) >= 1 && Number(tcp[2]) <= 65535) return undefined;
  return 'must be empty (the local engine), a socket path such as /var/run/docker.sock, unix:///path or tcp://host:port';
}

// Docker's reference grammar (distribution/reference): [domain[:port]/]path-component(/path-component)*[:tag][@digest].
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

/** Why `image` is not a Docker image reference, or undefined when it is one (the name goes into engine URLs). */
export function imageReferenceProblem(image: string): string | undefined {
  if (image === '') return 'must name an image';
  // The name (without its tag and digest) may be 255 characters at most.
  if (IMAGE_REFERENCE.test(image) && image.replace(/@.*$/, '').replace(/:[\w][\w.-]*$/, '').length <= 255) return undefined;
  return 'must be a Docker image reference such as scaledeck/api:latest or registry.example:5000/team/app:1.2 (lowercase name, optional :tag and @digest)';
}

export const SettingsShape = z.strictObject({
  driver: z.enum(DRIVERS),
  image: checkedBy(imageReferenceProblem),
  containerPort: port,
  healthPath: checkedBy(healthPathProblem),
  cpuLimit: z.number().min(0.05, 'must be at least 0.05 CPU').max(64, 'must be 64 CPUs or less'),
  memoryLimitMb: z.number().int().min(16, 'must be at least 16 MB').max(65536, 'must be 65536 MB or less'),
  frontendHost: checkedBy(frontendHostProblem),
  // 0: no frontend of its own, served only by its route on the shared frontend (checkInvariants says when that may be).
  frontendPort: z.number().int().min(0, 'must be 0 (served only on the shared frontend) or a port up to 65535').max(65535, 'must be 0 (served only on the shared frontend) or a port up to 65535'),
  statsPort: port,
  minReplicas: z.number().int().min(0, 'must be 0 or more').max(100, 'must be 100 or less'),
  maxReplicas: z.number().int().min(1, 'must be 1 or more').max(100, 'must be 100 or less'),
  mode: z.enum(MODES),
  policy: z.enum(POLICIES),
  // The first rule written flat: accepted as shorthand in what is sent, folded into `rules`, never kept.
  metric: z.enum(METRICS).optional(),
  scaleUpThreshold: threshold.optional(),
  scaleDownThreshold: threshold.optional(),
  targetValue: targetValue.optional(),
  rules: z.array(RuleShape).min(1, 'must hold at least one rule').max(MAX_RULES, `must hold ${MAX_RULES} rules or fewer`),
  targetToleranceUp: tolerance,
  targetToleranceDown: tolerance,
  step: z.number().int().min(1, 'must be 1 or more').max(20, 'must be 20 or less'),
  breachSamples: z.number().int().min(1, 'must be 1 or more').max(600, 'must be 600 or less'),
  sampleIntervalMs: z.number().int().min(200, 'must be at least 200 ms').max(60000, 'must be 60000 ms or less'),
  scaleUpCooldownS: seconds(3600),
  scaleDownCooldownS: seconds(3600),
  scaleDownStabilizationS: seconds(3600),
  warmupS: seconds(600),
  drainTimeoutS: z.number().min(1, 'must be at least 1 s').max(600, 'must be 600 s or less'),
  holdTimeoutS: z.number().min(1, 'must be at least 1 s').max(300, 'must be 300 s or less'),
  standbyReplicas: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(10, 'must be 10 or less'),
  slowStartS: seconds(600),
  rolloutSurge: z.number().int().min(1, 'must be 1 or more').max(10, 'must be 10 or less'),
  rolloutDeadlineS: z.number().int().min(5, 'must be at least 5 s').max(3600, 'must be 3600 s or less'),
  forecast: z.enum(FORECAST_MODES),
  forecastLeadS: seconds(3600),
  schedules: SchedulesShape,
  pauseScaleIn: z.boolean(),
  pauseScaleOut: z.boolean(),
  keepRunningOnQuit: z.boolean(),
  sharedFrontendHost: checkedBy(frontendHostProblem),
  sharedFrontendPort: z.number().int().min(0, 'must be 0 (no shared frontend) or a port up to 65535').max(65535, 'must be 0 (no shared frontend) or a port up to 65535'),
  routeHost: z.string().max(253).regex(/^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*)?$/, 'must be empty or a host name such as api.example.com (letters, digits, "-" and dots)'),
  routePathPrefix: z.string().max(200).regex(/^(\/[A-Za-z0-9._~/-]*)?$/, 'must be empty or a path starting with / (letters, digits, ".", "_", "~", "-" and "/")'),
  hostCpuBudget: z.number().min(0, 'must be 0 (off) or more CPUs').max(1024, 'must be 1024 CPUs or less'),
  swarmService: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, 'must be a service name (letters, digits, _ . -)'),
  dockerHost: checkedBy(dockerHostProblem),
  // Absolute, so the running app never depends on its working directory; read at start (SCALEDECK_HAPROXY wins).
  haproxyPath: z.string().max(4096).regex(/^(\/[^\0\r\n]*)?$/, 'must be an absolute path to the haproxy program, or empty to look in the usual places'),
});

/** A first rule's fields written flat (`metric`, thresholds, `targetValue`): accepted in input as shorthand, never kept. */
export type RuleShorthand = Pick<z.infer<typeof SettingsShape>, (typeof RULE_FIELDS)[number]>;
/** A service's settings as they are kept and shown: its rules only in `rules`. */
export type Settings = Omit<z.infer<typeof SettingsShape>, (typeof RULE_FIELDS)[number]>;
/** A change as it may be sent: any setting, and the first rule's flat shorthand. */
export type SettingsPatch = Partial<Settings & RuleShorthand>;

/**
 * What is one for the whole app, whatever the number of services: how replicas run (one driver, one engine), the one
 * HAProxy (its program, its stats page), the loop's pace and quit, and the host's CPU budget over every service.
 * Every other setting belongs to a service.
 */
export const GLOBAL_SETTINGS = ['driver', 'dockerHost', 'haproxyPath', 'sampleIntervalMs', 'statsPort', 'keepRunningOnQuit', 'hostCpuBudget', 'sharedFrontendHost', 'sharedFrontendPort'] as const;
export type GlobalSettingName = (typeof GLOBAL_SETTINGS)[number];
export type GlobalSettings = Pick<Settings, GlobalSettingName>;
export const isGlobalSetting = (name: string): name is GlobalSettingName => (GLOBAL_SETTINGS as readonly string[]).includes(name);

/** The service a settings file from before services becomes, and the first one of a new data folder. */
export const DEFAULT_SERVICE = 'web';
export const MAX_SERVICES = 16;

/** Why `name` cannot name a service (as Compose allows one: letters, digits, `.`, `_`, `-`, starting with a letter or digit). */
export function serviceNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'must name the service';
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) return 'must be letters, digits, ".", "_" and "-", starting with a letter or digit';
  if (name.length > 63) return 'must be 63 characters or fewer';
  return undefined;
}

export const defaultSettings: Settings = {
  driver: 'docker',
  image: 'scaledeck/api:latest',
  containerPort: 8000,
  healthPath: '/healthz',
  cpuLimit: 0.5,
  memoryLimitMb: 128,
  frontendHost: '127.0.0.1',
  frontendPort: 8080,
  statsPort: 8404,
  minReplicas: 1,
  maxReplicas: 10,
  mode: 'auto',
  policy: 'threshold',
  rules: [{ metric: 'replica-cpu', scaleUpThreshold: 70, scaleDownThreshold: 30, targetValue: 50 }],
  targetToleranceUp: 0.1,
  targetToleranceDown: 0.1,
  step: 1,
  breachSamples: 3,
  sampleIntervalMs: 1000,
  scaleUpCooldownS: 5,
  scaleDownCooldownS: 30,
  scaleDownStabilizationS: 30,
  warmupS: 5,
  drainTimeoutS: 30,
  holdTimeoutS: 30,
  standbyReplicas: 0,
  slowStartS: 0,
  rolloutSurge: 1,
  rolloutDeadlineS: 60,
  // Stored as `show`: with less than 24 h of history nothing is drawn and getForecast says why.
  forecast: 'show',
  forecastLeadS: 300,
  schedules: [],
  pauseScaleIn: false,
  pauseScaleOut: false,
  keepRunningOnQuit: false,
  sharedFrontendHost: '127.0.0.1',
  sharedFrontendPort: 0,
  routeHost: '',
  routePathPrefix: '',
  // Off: a CPU limit is a cap, not a reservation, so the sum of the limits may pass the host's CPUs.
  hostCpuBudget: 0,
  swarmService: 'scaledeck-api',
  dockerHost: '',
  haproxyPath: '',
};

/** A rejected settings change: which field, and why, in words a person can act on. */
export class SettingsError extends Error {
  constructor(readonly field: string, readonly problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'SettingsError';
  }
}

/**
 * A rule's own cross-field rules. `field` names where the person wrote it: the flat shorthand for the first rule
 * when that is what they sent, else `rules.<i>.<field>`.
 */
function checkRule(rule: ScalingRule, policy: Settings['policy'], field: (name: string) => string): void {
  if (rule.scaleDownThreshold >= rule.scaleUpThreshold) {
    throw new SettingsError(field('scaleDownThreshold'), `must be below scaleUpThreshold (${rule.scaleUpThreshold})`);
  }
  if (PERCENT_METRICS.has(rule.metric) && rule.scaleUpThreshold > 100) {
    throw new SettingsError(field('scaleUpThreshold'), `is a percentage for ${rule.metric} and must be 100 or less`);
  }
  if (PERCENT_METRICS.has(rule.metric) && policy === 'target' && rule.targetValue > 100) {
    throw new SettingsError(field('targetValue'), `is a percentage for ${rule.metric} and must be 100 or less`);
  }
}

/** Cross-field rules that no single field's schema can express. */
function checkInvariants(s: Settings, flatFirstRule: boolean): void {
  if (s.minReplicas > s.maxReplicas) {
    throw new SettingsError('minReplicas', `must not exceed maxReplicas (${s.maxReplicas})`);
  }
  // Swarm picks which task a scale-in removes (the highest slot), and it could pick a spare over a serving replica.
  if (s.driver === 'swarm' && s.standbyReplicas > 0) {
    throw new SettingsError('standbyReplicas', 'is not supported by the swarm driver, which chooses itself which replica a scale-in removes; set it to 0');
  }
  if (s.maxReplicas + s.standbyReplicas > 100) {
    throw new SettingsError('standbyReplicas', `with maxReplicas (${s.maxReplicas}) must stay within 100 replicas`);
  }
  const schedule = schedulesProblem(s.schedules, s.standbyReplicas);
  if (schedule) throw new SettingsError(schedule.field, schedule.problem);
  s.rules.forEach((rule, i) => checkRule(rule, s.policy, (name) => (i === 0 && flatFirstRule ? name : `rules.${i}.${name}`)));
  if (s.frontendPort === 0) servedOnlyShared(s);
  if (s.statsPort === s.frontendPort) {
    throw new SettingsError('statsPort', `must differ from frontendPort (${s.frontendPort})`);
  }
}

/** A service without a frontend of its own is reachable only through its route on the shared frontend: both must exist. */
function servedOnlyShared(s: Settings): void {
  if (s.sharedFrontendPort === 0) {
    throw new SettingsError('frontendPort', 'is 0 (served only on the shared frontend), which needs the shared frontend on: set sharedFrontendPort first');
  }
  if (s.routeHost === '' && s.routePathPrefix === '') {
    throw new SettingsError('frontendPort', 'is 0 (served only on the shared frontend), which needs a route there: set routeHost or routePathPrefix');
  }
}

function firstIssue(error: z.ZodError): SettingsError {
  const issue = error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : (issue && 'keys' in issue ? String((issue.keys as string[])[0]) : 'settings');
  if (issue?.code === 'unrecognized_keys') return new SettingsError(field, 'is not a setting');
  return new SettingsError(field, issue?.message ?? 'is invalid');
}

/** The first rule's fields a person wrote flat, without the rest. */
function splitShorthand<T extends Partial<RuleShorthand>>(data: T): { flat: Partial<ScalingRule>; rest: Omit<T, keyof RuleShorthand> } {
  const { metric, scaleUpThreshold, scaleDownThreshold, targetValue, ...rest } = data;
  const flat = Object.fromEntries(Object.entries({ metric, scaleUpThreshold, scaleDownThreshold, targetValue }).filter(([, value]) => value !== undefined));
  return { flat: flat as Partial<ScalingRule>, rest };
}

/**
 * Validates a whole settings object; throws SettingsError naming the first bad field. `rules` is what is kept; flat
 * fields are shorthand for its first rule, folded into it.
 */
export function parseSettings(input: unknown, flatFirstRule = false): Settings {
  const result = SettingsShape.safeParse(input);
  if (!result.success) throw firstIssue(result.error);
  const { flat, rest } = splitShorthand(result.data);
  const [first, ...others] = rest.rules as [ScalingRule, ...ScalingRule[]];
  const shorthand = RULE_FIELDS.some((name) => flat[name] !== undefined && flat[name] !== first[name]);
  const settings: Settings = { ...rest, rules: shorthand ? [{ ...first, ...flat }, ...others] : rest.rules };
  checkInvariants(settings, flatFirstRule || shorthand);
  return settings;
}

/**
 * Applies a partial change to `current`; throws SettingsError and leaves `current` untouched on any bad field.
 * Flat `metric`/thresholds/`targetValue` in the patch change the first rule (of the patch's `rules` if it has some).
 */
export function applySettingsPatch(current: Settings, patch: unknown): Settings {
  const shape = inputShapeProblem(patch);
  if (shape !== undefined) throw new SettingsError(shape.field, shape.problem);
  const partial = SettingsShape.partial().safeParse(patch);
  if (!partial.success) throw firstIssue(partial.error);
  const { flat, rest } = splitShorthand(partial.data);
  const [first, ...others] = rest.rules ?? current.rules;
  return parseSettings({ ...current, ...rest, rules: [{ ...(first as ScalingRule), ...flat }, ...others] }, rest.rules === undefined);
}

/** Loads stored settings over the defaults; stored values that no longer validate fall back field by field. */
export function settingsFromStored(stored: Record<string, unknown>): Settings {
  // Flat fields of a newer file would only be stale copies of `rules`' first rule: `rules` is the truth.
  const known = Object.fromEntries(Object.entries(stored).filter(([key]) => key in defaultSettings));
  if (!Array.isArray(known.rules) && RULE_FIELDS.some((name) => stored[name] !== undefined)) {
    // A file from before `rules`: its flat fields become the first rule.
    known.rules = [{ ...defaultSettings.rules[0], ...pick(stored, RULE_FIELDS) }];
  }
  try {
    return parseSettings({ ...defaultSettings, ...known });
  } catch {
    // Fall through: keep every stored value that still validates on its own.
  }
  let settings = { ...defaultSettings };
  for (const [key, value] of Object.entries(known)) {
    try {
      settings = applySettingsPatch(settings, { [key]: value });
    } catch {
      // A value that no longer validates (an older version's range, a hand edit) keeps its default.
    }
  }
  return settings;
}


function pick(source: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => source[name] !== undefined).map((name) => [name, source[name]]));
}
