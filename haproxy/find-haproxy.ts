// Locates the haproxy executable: a login shell's PATH often lacks the sbin folders where packages install it.
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Where packages put haproxy besides PATH: Debian and Fedora (/usr/sbin), source builds (/usr/local/sbin),
 * Homebrew on Apple silicon and Intel. A non-root user's PATH has none of the sbin folders (Debian's /etc/profile).
 */
export const USUAL_HAPROXY_DIRS = ['/usr/sbin', '/usr/local/sbin', '/opt/homebrew/sbin', '/opt/homebrew/bin', '/usr/local/bin'] as const;

export interface HaproxyLookup {
  env?: NodeJS.ProcessEnv;
  /** The haproxyPath setting ('' when unset); SCALEDECK_HAPROXY wins over it. */
  configured?: string;
  isExecutable?: (file: string) => boolean;
}

export interface HaproxyLocation {
  /** The executable to run. When nothing was found this is plain "haproxy", so the error names what was tried. */
  bin: string;
  found: boolean;
  /** Every place looked at, in order, for a message when nothing was found. */
  searched: string[];
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function locateHaproxy({ env = process.env, configured, isExecutable = executable }: HaproxyLookup = {}): HaproxyLocation {
  const named = env.SCALEDECK_HAPROXY || configured;
  // A path named by the user is used as given, even when missing: silently running another haproxy would hide the mistake.
  if (named) return { bin: named, found: isExecutable(named), searched: [named] };
  const pathDirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir && isAbsolute(dir));
  const searched = [...new Set([...pathDirs, ...USUAL_HAPROXY_DIRS])].map((dir) => join(dir, 'haproxy'));
  const bin = searched.find((candidate) => isExecutable(candidate));
  return bin ? { bin, found: true, searched } : { bin: 'haproxy', found: false, searched };
}

/** The haproxy to run: SCALEDECK_HAPROXY, then the haproxyPath setting, then PATH, then the usual install folders. */
export function findHaproxy(lookup: HaproxyLookup = {}): string {
  return locateHaproxy(lookup).bin;
}
