// The data folder is the owner's alone (0700, files 0600): it holds the settings, HAProxy's config and the request
// log secret. Files are created with these modes; a folder an older version left open is tightened once at start.
import { chmod, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Group and other bits; none may be set on anything in the data folder. */
const OPEN_TO_OTHERS = 0o077;

/**
 * Takes group and other permissions off the folder and everything in it (never adds any), without following
 * symbolic links; answers how many entries it changed. An entry that vanishes meanwhile (a rename) is skipped.
 */
export async function tightenDataFolder(dir: string): Promise<number> {
  let changed = 0;
  const visit = async (entry: string): Promise<void> => {
    const stats = await lstat(entry).catch(() => null);
    if (stats === null || !(stats.isDirectory() || stats.isFile())) return;
    if ((stats.mode & OPEN_TO_OTHERS) !== 0) {
      const done = await chmod(entry, stats.mode & 0o7700 & ~OPEN_TO_OTHERS).then(() => true, () => false);
      if (done) changed++;
    }
    if (stats.isDirectory()) {
      for (const name of await readdir(entry).catch(() => [])) await visit(path.join(entry, name));
    }
  };
  await visit(dir);
  return changed;
}
