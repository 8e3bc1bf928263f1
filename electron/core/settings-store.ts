// Settings and each service's desired replica count on disk, written atomically (conf), so both survive a restart.
import Conf from 'conf';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import {
  applySettingsPatch, DEFAULT_SERVICE, defaultSettings, GLOBAL_SETTINGS, isGlobalSetting, MAX_SERVICES, parseSettings, serviceNameProblem, SettingsError, settingsFromStored,
  type Settings,
} from '../contract/settings-schema.js';
import { PRIVATE_FILE_MODE } from './private-data-folder.js';
import type { ComposePlan } from './compose/compose-plan-types.js';
import { readAppliedPlan, readOrigin, type ServiceOrigin } from './compose/service-origin.js';

/**
 * The file's shape as written: the global settings, and each service's own settings and desired count, in order. A
 * file from before services (all settings flat, one `desired`) is read as one service named `web`, and rewritten.
 * Read back as unknown because a person may have edited it by hand.
 */
interface StoredFile {
  settings?: unknown;
  services?: unknown;
  /** Only in a file from before services. */
  desired?: unknown;
  /** The Compose plans applied, by project. */
  projects?: unknown;
}

interface StoredService {
  name: string;
  settings: Partial<Settings>;
  desired?: number;
  /** Present when a Compose file made the service. */
  origin?: ServiceOrigin;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isReplicaCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100;

/** Only what the person changed is written, so a better default in a later version still reaches them. */
function changedFromDefaults(settings: Partial<Settings>): Partial<Settings> {
  return Object.fromEntries(Object.entries(settings)
    .filter(([key, value]) => JSON.stringify(defaultSettings[key as keyof Settings]) !== JSON.stringify(value)));
}

/** The first global setting whose value differs between two sets of globals (a missing one has its default). */
function changedGlobal(before: Partial<Settings>, after: Partial<Settings>): string | undefined {
  return GLOBAL_SETTINGS.find((name) => (before[name] ?? defaultSettings[name]) !== (after[name] ?? defaultSettings[name]));
}

const globalPart = (settings: Partial<Settings>): Partial<Settings> =>
  Object.fromEntries(Object.entries(settings).filter(([key]) => isGlobalSetting(key)));
const servicePart = (settings: Partial<Settings>): Partial<Settings> =>
  Object.fromEntries(Object.entries(settings).filter(([key]) => !isGlobalSetting(key)));

/**
 * A settings file that is not JSON any more (a bad hand edit, a disk fault) is kept beside as
 * settings.json.corrupt-<time>, never silently overwritten; answers where it went, or null.
 */
function setAsideIfCorrupt(file: string, now: Date): string | null {
  if (!existsSync(file)) return null;
  try {
    JSON.parse(readFileSync(file, 'utf8'));
    return null;
  } catch {
    const aside = `${file}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, aside);
    return aside;
  }
}

/** The services a file lists, each once, with a valid name, at most MAX_SERVICES; an empty list becomes `web`. */
function storedServices(raw: unknown): StoredService[] {
  const services: StoredService[] = [];
  for (const entry of Array.isArray(raw) ? raw : []) {
    if (!isRecord(entry) || serviceNameProblem(entry.name) !== undefined) continue;
    if (services.some((s) => s.name === entry.name) || services.length >= MAX_SERVICES) continue;
    const origin = readOrigin(entry.origin);
    services.push({
      name: entry.name as string,
      settings: isRecord(entry.settings) ? servicePart(entry.settings as Partial<Settings>) : {},
      ...(isReplicaCount(entry.desired) ? { desired: entry.desired } : {}),
      ...(origin ? { origin } : {}),
    });
  }
  return services.length > 0 ? services : [{ name: DEFAULT_SERVICE, settings: {} }];
}

/** One service's view of the store: its settings (the global ones with its own), its desired count. */
export interface ServiceSettings {
  readonly name: string;
  readonly settings: Settings;
  /** Validates the whole result before writing; throws SettingsError naming the field, and changes nothing, on a bad value. */
  update(patch: unknown): Settings;
  /** What `update` would make of `patch`, checked against every service the same way; writes nothing. */
  check(patch: unknown): Settings;
  /** The persisted desired replica count, or null if none was ever set. */
  readonly desired: number | null;
  setDesired(n: number): void;
  /** The Compose project and runtime it was made from, or undefined for a service added by hand. */
  readonly origin: ServiceOrigin | undefined;
}

export class SettingsStore {
  readonly #conf: Conf<StoredFile>;
  #globals: Partial<Settings>;
  #services: StoredService[];
  #projects: ComposePlan[];
  /** Where an unreadable settings file was moved at start (the store then began on defaults), or null. */
  readonly setAside: string | null;
  /** The file held one service's settings from before services: they are now the service `web`'s, and rewritten so. */
  readonly migrated: boolean;

  constructor(dir: string, now: Date = new Date()) {
    this.setAside = setAsideIfCorrupt(path.join(dir, 'settings.json'), now);
    this.#conf = new Conf<StoredFile>({
      cwd: dir,
      configName: 'settings',
      // Keys are setting names, never paths into nested objects.
      accessPropertiesByDotNotation: false,
      // Unreadable files were set aside above; one that turns unreadable later must not keep the app from starting.
      clearInvalidConfig: true,
      configFileMode: PRIVATE_FILE_MODE,
    });
    const stored = this.#conf.get('settings');
    const flat = isRecord(stored) ? (stored as Partial<Settings>) : {};
    this.migrated = this.#conf.has('settings') && !this.#conf.has('services');
    if (this.migrated) {
      const desired = this.#conf.get('desired');
      this.#services = [{ name: DEFAULT_SERVICE, settings: servicePart(flat), ...(isReplicaCount(desired) ? { desired } : {}) }];
    } else {
      this.#services = storedServices(this.#conf.get('services'));
    }
    this.#projects = (Array.isArray(this.#conf.get('projects')) ? (this.#conf.get('projects') as unknown[]) : [])
      .map(readAppliedPlan).filter((plan): plan is ComposePlan => plan !== undefined);
    this.#globals = globalPart(flat);
    // Each service's settings are read over the defaults field by field, as they always were (settingsFromStored).
    const first = settingsFromStored({ ...this.#services[0]!.settings, ...this.#globals });
    this.#globals = globalPart(first);
    for (const service of this.#services) service.settings = servicePart(settingsFromStored({ ...service.settings, ...this.#globals }));
    if (this.migrated) {
      this.#write();
      this.#conf.delete('desired');
    }
  }

  /** The services, in the order they were added. */
  get serviceNames(): string[] {
    return this.#services.map((s) => s.name);
  }

  /** One service's settings and count; throws when there is no such service. */
  service(name: string): ServiceSettings {
    const entry = this.#services.find((s) => s.name === name);
    if (!entry) throw new Error(`no service named ${name}`);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the view reads the store's state as it is now, not a copy
    const store = this;
    return {
      name,
      get settings() {
        return store.#merged(entry);
      },
      update: (patch: unknown) => this.#update(entry, patch),
      check: (patch: unknown) => this.#checked(entry, patch),
      get desired() {
        return entry.desired ?? null;
      },
      setDesired: (n: number) => {
        if (!isReplicaCount(n)) throw new RangeError(`desired replica count must be a whole number from 0 to 100, got ${n}`);
        entry.desired = n;
        this.#write();
      },
      get origin() {
        return entry.origin;
      },
    };
  }

  /**
   * Adds a service with `patch` over the defaults (and the global settings); throws SettingsError naming the field
   * (`name` for the name) and changes nothing when the name or a value is bad, or its frontend is another's.
   */
  addService(name: string, patch: unknown, origin?: ServiceOrigin): ServiceSettings {
    const problem = serviceNameProblem(name);
    if (problem !== undefined) throw new SettingsError('name', problem);
    if (this.#services.some((s) => s.name === name)) throw new SettingsError('name', `a service named ${name} exists already`);
    if (this.#services.length >= MAX_SERVICES) throw new SettingsError('name', `ScaleDeck runs at most ${MAX_SERVICES} services`);
    const shape = isRecord(patch) ? patch : {};
    const globalField = Object.keys(shape).find((key) => isGlobalSetting(key));
    if (globalField !== undefined) throw new SettingsError(globalField, 'is a setting of the whole app, not of one service; change it with updateSettings');
    // Each service is its own Swarm service: a new one does not take the first one's name by default.
    const defaults = { swarmService: `scaledeck-${name}`.slice(0, 63) };
    const next = applySettingsPatch({ ...defaultSettings, ...defaults, ...this.#globals } as Settings, shape);
    const entry: StoredService = { name, settings: servicePart(next), ...(origin ? { origin } : {}) };
    this.#checkFrontends(entry, next);
    this.#services.push(entry);
    this.#write();
    return this.service(name);
  }

  /** Forgets a service's settings and count; the last one cannot go. */
  removeService(name: string): void {
    const index = this.#services.findIndex((s) => s.name === name);
    if (index < 0) throw new SettingsError('name', `there is no service named ${name}`);
    if (this.#services.length === 1) throw new SettingsError('name', `${name} is the only service; an app keeps at least one`);
    this.#services.splice(index, 1);
    this.#write();
  }

  /** Replaces what a Compose file gives a service's replicas (an apply of an edited file). */
  setOrigin(name: string, origin: ServiceOrigin): void {
    const entry = this.#services.find((s) => s.name === name);
    if (!entry) throw new SettingsError('name', `there is no service named ${name}`);
    entry.origin = origin;
    this.#write();
  }

  /** The Compose plans applied, one per project. */
  get projects(): readonly ComposePlan[] {
    return this.#projects;
  }

  /** Records a project's applied plan (null: the project is gone). */
  setProject(project: string, plan: ComposePlan | null): void {
    this.#projects = [...this.#projects.filter((p) => p.project !== project), ...(plan ? [plan] : [])];
    this.#write();
  }

  /** The first service's settings with the global ones: the whole of an app of one service. */
  get settings(): Settings {
    return this.#merged(this.#services[0]!);
  }

  /** Changes the first service's settings and the global ones (see ServiceSettings.update). */
  update(patch: unknown): Settings {
    return this.#update(this.#services[0]!, patch);
  }

  /** The first service's persisted desired replica count, or null if none was ever set. */
  get desired(): number | null {
    return this.#services[0]!.desired ?? null;
  }

  setDesired(n: number): void {
    this.service(this.#services[0]!.name).setDesired(n);
  }

  /** The settings file, for messages such as "edit or delete <path>". */
  get path(): string {
    return this.#conf.path;
  }

  #merged(entry: StoredService): Settings {
    return { ...defaultSettings, ...entry.settings, ...this.#globals } as Settings;
  }

  #update(entry: StoredService, patch: unknown): Settings {
    const next = this.#checked(entry, patch);
    this.#globals = globalPart(next);
    entry.settings = servicePart(next);
    this.#write();
    return next;
  }

  #checked(entry: StoredService, patch: unknown): Settings {
    const next = applySettingsPatch(this.#merged(entry), patch);
    const globals = globalPart(next);
    // A global change must hold for every other service too (statsPort against each frontendPort, the driver against spares).
    for (const other of this.#services) {
      if (other === entry) continue;
      try {
        parseSettings({ ...this.#merged(other), ...globals });
      } catch (error) {
        if (!(error instanceof SettingsError)) throw error;
        // The other service's own field did not change: the global one that breaks it is what the person set.
        const cause = isGlobalSetting(error.field) ? undefined : changedGlobal(this.#globals, globals);
        throw cause === undefined
          ? new SettingsError(error.field, `${error.problem} (for the service ${other.name})`)
          : new SettingsError(cause, `would leave the service ${other.name} invalid: its ${error.field} ${error.problem}`);
      }
    }
    this.#checkFrontends(entry, next);
    return next;
  }

  /** No two services take the same frontend address (any host on a port taken by 0.0.0.0 or :: counts as the same). */
  #checkFrontends(entry: StoredService, next: Settings): void {
    for (const other of this.#services) {
      if (other === entry) continue;
      const theirs = this.#merged(other);
      const wildcard = (host: string) => host === '0.0.0.0' || host === '::';
      const sameHost = theirs.frontendHost === next.frontendHost || wildcard(theirs.frontendHost) || wildcard(next.frontendHost);
      if (next.frontendPort !== 0 && theirs.frontendPort === next.frontendPort && sameHost) {
        throw new SettingsError('frontendPort', `${next.frontendHost}:${next.frontendPort} is the frontend of the service ${other.name}; choose another port`);
      }
      if (theirs.swarmService === next.swarmService && next.driver === 'swarm') {
        throw new SettingsError('swarmService', `${next.swarmService} is the Swarm service of ${other.name}; choose another name`);
      }
    }
  }

  #write(): void {
    this.#conf.set('settings', changedFromDefaults(this.#globals));
    this.#conf.set('services', this.#services.map((s) => ({
      name: s.name,
      settings: changedFromDefaults(s.settings),
      ...(s.desired === undefined ? {} : { desired: s.desired }),
      ...(s.origin ? { origin: s.origin } : {}),
    })));
    if (this.#projects.length > 0 || this.#conf.has('projects')) this.#conf.set('projects', this.#projects);
  }
}

/**
 * Where ScaleDeck keeps settings, the HAProxy config, pid file and socket: $SCALEDECK_DATA_DIR when set, else the
 * platform's per-user config folder. The parameters exist for tests; callers use the defaults.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.SCALEDECK_DATA_DIR) return path.resolve(env.SCALEDECK_DATA_DIR);
  if (platform === 'win32') {
    return path.win32.join(env.APPDATA || path.win32.join(home, 'AppData', 'Roaming'), 'ScaleDeck');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'ScaleDeck');
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME && path.posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.posix.join(home, '.config');
  return path.posix.join(xdg, 'scaledeck');
}
