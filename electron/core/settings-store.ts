// Settings and the desired replica count on disk, written atomically (conf), so both survive a restart.
import Conf from 'conf';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { applySettingsPatch, defaultSettings, settingsFromStored, storedForm, type Settings } from '../contract/settings-schema.js';
import { PRIVATE_FILE_MODE } from './private-data-folder.js';

/** The file's shape as written; read back as unknown because a person may have edited it by hand. */
interface StoredFile {
  settings?: unknown;
  desired?: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isReplicaCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100;

/**
 * Only what the person changed is written, so a better default in a later version still reaches them; the flat
 * shorthand of the first rule is never written, `rules` is.
 */
function changedFromDefaults(settings: Settings): Partial<Settings> {
  return Object.fromEntries(Object.entries(storedForm(settings))
    .filter(([key, value]) => JSON.stringify(defaultSettings[key as keyof Settings]) !== JSON.stringify(value)));
}

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

export class SettingsStore {
  readonly #conf: Conf<StoredFile>;
  #settings: Settings;
  /** Where an unreadable settings file was moved at start (the store then began on defaults), or null. */
  readonly setAside: string | null;

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
    this.#settings = settingsFromStored(isRecord(stored) ? stored : {});
  }

  get settings(): Settings {
    return this.#settings;
  }

  /** Validates the whole result before writing; throws SettingsError naming the field, and changes nothing, on a bad value. */
  update(patch: unknown): Settings {
    const next = applySettingsPatch(this.#settings, patch);
    this.#conf.set('settings', changedFromDefaults(next));
    this.#settings = next;
    return next;
  }

  /** The persisted desired replica count, or null if none was ever set (or the stored one is not a count). */
  get desired(): number | null {
    const stored = this.#conf.get('desired');
    return isReplicaCount(stored) ? stored : null;
  }

  setDesired(n: number): void {
    if (!isReplicaCount(n)) throw new RangeError(`desired replica count must be a whole number from 0 to 100, got ${n}`);
    this.#conf.set('desired', n);
  }

  /** The settings file, for messages such as "edit or delete <path>". */
  get path(): string {
    return this.#conf.path;
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
