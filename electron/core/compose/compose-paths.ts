// Host paths in a Compose file resolved as Compose resolves them: against the project folder, `~` against home.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FieldScope } from './compose-fields.js';

export function resolveHostPath(scope: FieldScope, projectDir: string | undefined, given: string, key: string): string {
  if (!scope.hostFiles) {
    scope.fail(key, `"${given}" is a file of the machine ScaleDeck runs on, which only a Compose file opened on that machine may name (npm run serve -- --compose FILE, or the desktop app)`);
  }
  if (given === '~' || given.startsWith('~/')) return path.join(os.homedir(), given.slice(1));
  if (path.isAbsolute(given)) return path.normalize(given);
  if (projectDir === undefined) scope.fail(key, `"${given}" is a relative path, and no project folder was given to resolve it against`);
  return path.resolve(projectDir, given);
}

export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A build context that names a remote source (git, an archive URL) rather than a folder. */
export function isRemoteContext(context: string): boolean {
  return /^(https?:\/\/|git@|git:\/\/|ssh:\/\/|github\.com\/)/.test(context);
}
