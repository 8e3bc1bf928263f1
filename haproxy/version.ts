// Finds the installed HAProxy and checks it is new enough for servers added at run time (2.6+).
import { execFile } from 'node:child_process';
import { locateHaproxy, USUAL_HAPROXY_DIRS } from './find-haproxy.js';

export const MINIMUM_VERSION = '2.6';
const INSTALL_HINT = 'sudo apt install haproxy';

/** Compares dotted versions numerically ("2.10" > "2.6"); a missing part counts as 0. */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string): number[] => (version.match(/^\d+(?:\.\d+)*/)?.[0] ?? '0').split('.').map(Number);
  const left = parts(a);
  const right = parts(b);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/** Extracts "2.6.12" from `haproxy -v` output ("HAProxy version 2.6.12-1+deb12u4 2023/..."). */
export function parseHaproxyVersion(output: string): string | undefined {
  return output.match(/HA-?Proxy version (\d+\.\d+(?:\.\d+)?(?:-dev\d*)?)/i)?.[1];
}

export function haproxyVersion(bin = locateHaproxy().bin): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, ['-v'], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES') {
          const where = bin.includes('/') ? `at ${bin}` : `on PATH or in ${USUAL_HAPROXY_DIRS.join(', ')}`;
          reject(new Error(`HAProxy was not found ${where}; ScaleDeck needs HAProxy ${MINIMUM_VERSION} or newer: ${INSTALL_HINT} (or name it with SCALEDECK_HAPROXY)`));
        } else {
          reject(new Error(`"${bin} -v" failed (${error.message.trim()}); ScaleDeck needs a working HAProxy ${MINIMUM_VERSION} or newer: ${INSTALL_HINT}`));
        }
        return;
      }
      const version = parseHaproxyVersion(`${stdout}\n${stderr}`);
      if (!version) {
        reject(new Error(`Could not read a version from "${bin} -v" (it printed: ${stdout.trim().slice(0, 120)}); is ${bin} HAProxy?`));
        return;
      }
      resolve(version);
    });
  });
}

/** Resolves with the version when it is usable, else rejects with a message that says what to install. */
export async function checkHaproxy(bin = locateHaproxy().bin): Promise<string> {
  const version = await haproxyVersion(bin);
  if (compareVersions(version, MINIMUM_VERSION) < 0) {
    throw new Error(`HAProxy ${version} found; ScaleDeck needs ${MINIMUM_VERSION} or newer for dynamic servers: ${INSTALL_HINT}`);
  }
  return version;
}
