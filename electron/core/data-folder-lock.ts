// One ScaleDeck per data folder: an exclusive lock (proper-lockfile, kept fresh, stale after a hang) taken before
// anything starts, with the holder's PID beside it so a second instance can say who holds it.
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-data-folder.js';

export class DataFolderLockedError extends Error {
  constructor(readonly dataDir: string, readonly pid: number | null) {
    super(`Another ScaleDeck${pid ? ` (pid ${pid})` : ''} is already using the data folder ${dataDir}: quit it first, or start this one with another SCALEDECK_DATA_DIR`);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(pidPath: string): number | null {
  try {
    const pid = Number(readFileSync(pidPath, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the lock or throws DataFolderLockedError; resolves to the function that releases it. */
export async function lockDataFolder(dataDir: string): Promise<() => Promise<void>> {
  const lockfilePath = path.join(dataDir, 'scaledeck.lock');
  const pidPath = path.join(dataDir, 'scaledeck.lock.pid');
  const options = { lockfilePath, realpath: false, stale: 15_000, update: 5_000, onCompromised: () => undefined };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const holder = readHolder(pidPath);
    // A holder killed with -9 leaves its lock behind; it is ours to take once that process is gone.
    if (holder === null || pidAlive(holder)) throw new DataFolderLockedError(dataDir, holder);
    rmSync(lockfilePath, { recursive: true, force: true });
    release = await lockfile.lock(dataDir, options).catch((again: NodeJS.ErrnoException) => {
      throw again.code === 'ELOCKED' ? new DataFolderLockedError(dataDir, readHolder(pidPath)) : again;
    });
  }
  // proper-lockfile makes its lock folder with the process umask.
  chmodSync(lockfilePath, PRIVATE_DIR_MODE);
  writeFileSync(pidPath, `${process.pid}\n`, { mode: PRIVATE_FILE_MODE });
  return async () => {
    rmSync(pidPath, { force: true });
    await release().catch(() => undefined);
  };
}
