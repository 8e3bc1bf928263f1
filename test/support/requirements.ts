// What integration and e2e tests need on the machine; they skip loudly without it, or fail under SCALEDECK_REQUIRE_ALL=1.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MINIMUM_VERSION, compareVersions, parseHaproxyVersion } from '../../haproxy/version.js';

export const requireAll = process.env.SCALEDECK_REQUIRE_ALL === '1';

function probe(what: string, check: () => void): boolean {
  try {
    check();
    return true;
  } catch (error) {
    const line = `SKIPPING tests that need ${what}: ${(error as Error).message.split('\n')[0]}`;
    if (requireAll) throw new Error(`${line} (SCALEDECK_REQUIRE_ALL=1 forbids skipping)`);
    console.warn(`\n!!! ${line}\n`);
    return false;
  }
}

let dockerCache: boolean | undefined;
export function hasDocker(): boolean {
  dockerCache ??= probe('a Docker engine', () => {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'pipe', timeout: 10_000 });
  });
  return dockerCache;
}

let haproxyCache: boolean | undefined;
export function hasHaproxy(): boolean {
  haproxyCache ??= probe(`haproxy >= ${MINIMUM_VERSION}`, () => {
    const output = execFileSync('haproxy', ['-v'], { encoding: 'utf8', timeout: 10_000 });
    const version = parseHaproxyVersion(output);
    if (!version) throw new Error(`could not read a version from "haproxy -v": ${output.split('\n')[0]}`);
    if (compareVersions(version, MINIMUM_VERSION) < 0) throw new Error(`HAProxy ${version} is older than ${MINIMUM_VERSION}`);
  });
  return haproxyCache;
}

let composeCache: boolean | undefined;
/** The Compose CLI (Debian's docker-compose), to start what a Compose file leaves to Compose as a person would. */
export function hasDockerCompose(): boolean {
  composeCache ??= probe('the docker-compose CLI', () => {
    execFileSync('docker-compose', ['version', '--short'], { stdio: 'pipe', timeout: 20_000 });
  });
  return composeCache;
}

export const CHROMIUM = process.env.SCALEDECK_CHROMIUM ?? '/usr/bin/chromium';
let chromiumCache: boolean | undefined;
export function hasChromium(): boolean {
  chromiumCache ??= probe('Chromium', () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (apt install chromium)`);
  });
  return chromiumCache;
}
