// The desktop path as a normal user: a non-root account in the docker group, with its own login PATH (no /usr/sbin),
// starts ScaleDeck, scales 1 -> 2 -> 1 and quits with nothing left, so root-only assumptions fail here, not on a desk.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasDocker, hasHaproxy, requireAll } from '../support/requirements.js';

const USER = process.env.SCALEDECK_NONROOT_USER ?? 'scaledeck-user';
const CHECK_JS = path.resolve('dist/test/nonroot/scale-as-user.js');

/** Creates the account (or adds it to the docker group) when this test runs as root; answers why it cannot otherwise. */
function prepareUser(): string | null {
  if (process.getuid?.() !== 0) return 'this test creates and switches to a normal user, which needs root';
  if (spawnSync('getent', ['group', 'docker']).status !== 0) return 'there is no docker group (the engine was not installed from a package)';
  if (spawnSync('id', [USER]).status !== 0) execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', '--groups', 'docker', USER]);
  else execFileSync('usermod', ['--append', '--groups', 'docker', USER]);
  return null;
}

const unavailable = hasDocker() && hasHaproxy() ? prepareUser() : 'it needs Docker and HAProxy';
if (unavailable) {
  const line = `SKIPPING the non-root user path: ${unavailable}`;
  if (requireAll) throw new Error(`${line} (SCALEDECK_REQUIRE_ALL=1 forbids skipping)`);
  console.warn(`\n!!! ${line}\n`);
}

const asUser = (command: string) => spawnSync('runuser', ['--login', USER, '--command', command], { encoding: 'utf8', timeout: 420_000 });

/**
 * Where the user runs the check from: this checkout when the user can read it, else a copy of what the check needs
 * (hard links where the file system allows) in a folder every user can read, as for a checkout under /root.
 */
function readableRoot(): { root: string; cleanup: () => void } {
  if (asUser(`test -r ${JSON.stringify(CHECK_JS)}`).status === 0) return { root: process.cwd(), cleanup: () => undefined };
  const root = mkdtempSync(path.join(os.tmpdir(), 'scaledeck-nonroot-'));
  chmodSync(root, 0o755);
  for (const part of ['package.json', 'dist', 'api', 'node_modules']) {
    if (spawnSync('cp', ['-al', part, root]).status !== 0) execFileSync('cp', ['-a', part, root]);
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

describe.skipIf(unavailable !== null)('ScaleDeck as a normal user in the docker group', () => {
  it('has a login PATH without /usr/sbin, like a desktop user', () => {
    const login = asUser('echo "$PATH"; id -u; id -nG');
    const [pathLine, uid, groups] = login.stdout.trim().split('\n');
    expect(Number(uid)).toBeGreaterThan(0);
    expect(groups.split(' ')).toContain('docker');
    expect(pathLine.split(':')).not.toContain('/usr/sbin');
  });

  it('starts, scales 1 -> 2 -> 1 with answers through the frontend, and quits leaving nothing running', () => {
    if (!existsSync(CHECK_JS)) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
    const { root, cleanup } = readableRoot();
    const check = path.join(root, path.relative(process.cwd(), CHECK_JS));
    const readable = asUser(`test -r ${JSON.stringify(check)} && command -v node`);
    expect(readable.status, `${USER} cannot read ${check} or has no node on its login PATH`).toBe(0);
    let run;
    try {
      run = asUser(`cd ${JSON.stringify(root)} && node ${JSON.stringify(check)}`);
    } finally {
      cleanup();
    }
    const output = `${run.stdout}${run.stderr}`;
    console.log(output);
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/HAProxy \d+\.\d+\S* running; Docker reachable: true; driver docker/);
    expect(output).toContain('scaled to 1: the frontend answered 12 of 12 requests from 1 replica(s)');
    expect(output).toContain('scaled to 2: the frontend answered 12 of 12 requests from 2 replica(s)');
    expect(output).toContain('quit: exit code 0; 0 container(s) and 0 haproxy process(es) left');
    expect(output).toContain('NONROOT PATH OK');
  });
});
