import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseShell, electronBinaryPath, electronMissingNotice, HEADLESS_ENTRY } from '../../../scripts/start.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'scaledeck-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder with node_modules/electron as npm leaves it: package.json, maybe path.txt, maybe the binary. */
function fakeElectronInstall(name: string, { pathTxt, binary }: { pathTxt?: string; binary?: string }): string {
  const project = join(scratch, name);
  const electronDir = join(project, 'node_modules', 'electron');
  mkdirSync(join(electronDir, 'dist'), { recursive: true });
  writeFileSync(join(electronDir, 'package.json'), '{"name":"electron","version":"45.5.0"}');
  if (pathTxt !== undefined) writeFileSync(join(electronDir, 'path.txt'), pathTxt);
  if (binary) {
    writeFileSync(join(electronDir, 'dist', binary), '');
    chmodSync(join(electronDir, 'dist', binary), 0o755);
  }
  return pathToFileURL(join(project, 'scripts', 'start.js')).href;
}

describe('choosing the shell for npm start', () => {
  it('runs Electron on the repository when its binary is present', () => {
    expect(chooseShell({ binary: '/x/electron' }, ['--inspect'])).toEqual({
      kind: 'electron', command: '/x/electron', args: ['.', '--inspect'], entry: join('dist', 'electron', 'shells', 'desktop', 'main.js'),
    });
  });

  it('falls back to the headless shell with the same arguments and a one-line reason', () => {
    const choice = chooseShell({ reason: 'fetch failed: getaddrinfo ENOTFOUND github.com' }, ['--port', '7500'], '/usr/bin/node');
    expect(choice).toEqual({
      kind: 'headless', command: '/usr/bin/node', args: [HEADLESS_ENTRY, '--port', '7500'], entry: HEADLESS_ENTRY,
      notice: 'Electron could not be fetched (fetch failed: getaddrinfo ENOTFOUND github.com); starting the headless dashboard instead.',
    });
  });
});

describe('finding the Electron binary', () => {
  it('finds the binary named by path.txt', () => {
    const from = fakeElectronInstall('installed', { pathTxt: 'electron', binary: 'electron' });
    expect(electronBinaryPath({}, from)).toBe(join(scratch, 'installed', 'node_modules', 'electron', 'dist', 'electron'));
  });

  it('reports no binary when the download never happened or its file is gone', () => {
    expect(electronBinaryPath({}, fakeElectronInstall('never-downloaded', {}))).toBeNull();
    expect(electronBinaryPath({}, fakeElectronInstall('file-gone', { pathTxt: 'electron' }))).toBeNull();
    expect(electronBinaryPath({}, pathToFileURL(join(scratch, 'no-electron-at-all', 'start.js')).href)).toBeNull();
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH as electron itself does', () => {
    const dist = join(scratch, 'custom-dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'electron'), '');
    const from = fakeElectronInstall('override', {});
    expect(electronBinaryPath({ ELECTRON_OVERRIDE_DIST_PATH: dist }, from)).toBe(join(dist, 'electron'));
  });

  it('answers for this repository from its files alone: the binary path.txt names, or null before the first fetch', () => {
    const packageDir = join(ROOT, 'node_modules', 'electron');
    const pathTxt = join(packageDir, 'path.txt');
    const named = existsSync(pathTxt) ? join(packageDir, 'dist', readFileSync(pathTxt, 'utf8').trim()) : null;
    const expected = named !== null && existsSync(named) ? named : null;
    // A synchronous answer: no download can have happened on the way.
    expect(electronBinaryPath({}, pathToFileURL(join(ROOT, 'scripts', 'start.js')).href)).toBe(expected);
  });
});

describe('npm start without the electron package', () => {
  // A copy of the script in a folder without node_modules/electron, over a stand-in for the headless shell
  // that ends itself after 10 s, so a failing test leaves nothing running.
  const project = join(scratch, 'headless-project');
  mkdirSync(join(project, 'scripts'), { recursive: true });
  mkdirSync(join(project, 'dist', 'electron', 'shells', 'headless'), { recursive: true });
  copyFileSync(join(ROOT, 'scripts', 'start.js'), join(project, 'scripts', 'start.js'));
  writeFileSync(join(project, 'package.json'), '{"type":"module"}');
  writeFileSync(
    join(project, 'dist', 'electron', 'shells', 'headless', 'server.js'),
    `console.log('server args ' + JSON.stringify(process.argv.slice(2)));
     if (process.argv.includes('--exit')) process.exit(7);
     process.on('SIGTERM', () => { console.log('server got SIGTERM'); setTimeout(() => process.exit(0), 50); });
     console.log('server ready');
     setTimeout(() => process.exit(1), 10000);`,
  );

  function start(args: string[]) {
    const child = spawn(process.execPath, [join(project, 'scripts', 'start.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, output: () => ({ stdout, stderr }) };
  }

  it('says so in one line, runs the headless shell with the same arguments, and exits with its code', async () => {
    const run = start(['--exit', '--port', '7500']);
    expect(await run.exited).toBe(7);
    const { stdout, stderr } = run.output();
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      electronMissingNotice('the electron package is not installed; run npm install'),
      'server args ["--exit","--port","7500"]',
    ]);
    expect(stderr).toBe('');
  });

  it('passes SIGTERM on to the headless shell exactly once and exits when it does', async () => {
    const run = start([]);
    await expect.poll(() => run.output().stdout, { timeout: 5000 }).toContain('server ready');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output().stdout.match(/server got SIGTERM/g)).toHaveLength(1);
  });
});
