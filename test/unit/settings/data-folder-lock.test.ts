// One ScaleDeck per data folder: the lock is exclusive, names its holder, and is taken over from a dead one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataFolderLockedError, lockDataFolder } from '../../../electron/core/data-folder-lock.js';

const dirs: string[] = [];
const releases: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const release of releases.splice(0)) await release();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'scaledeck-lock-'));
  dirs.push(dir);
  return dir;
}

describe('lockDataFolder', () => {
  it('refuses a second holder, naming the PID that holds it', async () => {
    const dir = dataDir();
    releases.push(await lockDataFolder(dir));
    const second = lockDataFolder(dir);
    await expect(second).rejects.toBeInstanceOf(DataFolderLockedError);
    await expect(second).rejects.toThrow(`Another ScaleDeck (pid ${process.pid}) is already using the data folder ${dir}`);
  });

  it('can be taken again once released', async () => {
    const dir = dataDir();
    const release = await lockDataFolder(dir);
    await release();
    expect(existsSync(path.join(dir, 'scaledeck.lock'))).toBe(false);
    releases.push(await lockDataFolder(dir));
  });

  it('takes over a lock whose holder is gone (killed with -9)', async () => {
    const dir = dataDir();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    // As a killed holder leaves it: the lock directory and its PID, never released.
    await lockDataFolder(dir);
    writeFileSync(path.join(dir, 'scaledeck.lock.pid'), `${gone.stdout}\n`);
    releases.push(await lockDataFolder(dir));
    expect(readFileSync(path.join(dir, 'scaledeck.lock.pid'), 'utf8').trim()).toBe(String(process.pid));
  });

  it('keeps separate data folders apart', async () => {
    releases.push(await lockDataFolder(dataDir()));
    releases.push(await lockDataFolder(dataDir()));
  });
});
