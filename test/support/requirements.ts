// What integration and e2e tests need on the machine; they skip loudly without it, or fail under SCALEDECK_REQUIRE_ALL=1.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

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
  haproxyCache ??= probe('haproxy >= 2.6', () => {
    execFileSync('haproxy', ['-v'], { stdio: 'pipe', timeout: 10_000 });
  });
  return haproxyCache;
}

export const CHROMIUM = process.env.SCALEDECK_CHROMIUM ?? '/usr/bin/chromium';
let chromiumCache: boolean | undefined;
export function hasChromium(): boolean {
  chromiumCache ??= probe('Chromium', () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (apt install chromium)`);
  });
  return chromiumCache;
}
