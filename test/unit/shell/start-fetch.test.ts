// Specification of `npm start` on a fresh install: Electron's binary is fetched once, then the app is launched on it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronMissingNotice } from '../../../scripts/start.js';
import { storedZip } from '../../support/stored-zip.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const ELECTRON_VERSION = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
const ARCHIVE = `electron-v${ELECTRON_VERSION}-${process.platform}-${process.arch}.zip`;
const scratch = mkdtempSync(join(tmpdir(), 'scaledeck-start-fetch-'));

/**
 * A repository as `npm install` leaves it with electron 45: the electron package without its binary. The package's
 * files are copied (install.js unpacks into its own folder); its download libraries are the repository's own.
 */
function freshInstall(name: string): string {
  const project = join(scratch, name);
  const electronDir = join(project, 'node_modules', 'electron');
  mkdirSync(electronDir, { recursive: true });
  for (const file of ['package.json', 'install.js', 'checksums.json', 'index.js']) {
    copyFileSync(join(ROOT, 'node_modules', 'electron', file), join(electronDir, file));
  }
  for (const scope of ['@electron', '@electron-internal']) symlinkSync(join(ROOT, 'node_modules', scope), join(project, 'node_modules', scope));
  mkdirSync(join(project, 'scripts'));
  copyFileSync(join(ROOT, 'scripts', 'start.js'), join(project, 'scripts', 'start.js'));
  writeFileSync(join(project, 'package.json'), '{"type":"module","main":"dist/electron/shells/desktop/main.js"}');
  mkdirSync(join(project, 'dist', 'electron', 'shells', 'desktop'), { recursive: true });
  mkdirSync(join(project, 'dist', 'electron', 'shells', 'headless'), { recursive: true });
  writeFileSync(join(project, 'dist', 'electron', 'shells', 'desktop', 'main.js'), '');
  writeFileSync(
    join(project, 'dist', 'electron', 'shells', 'headless', 'server.js'),
    `console.log('headless server args ' + JSON.stringify(process.argv.slice(2)));
     process.exit(process.argv.includes('--exit') ? 7 : 1);`,
  );
  return project;
}

function npmStart(project: string, env: NodeJS.ProcessEnv, args: string[] = []) {
  const child = spawn(process.execPath, [join(project, 'scripts', 'start.js'), ...args], {
    env: { ...process.env, ...env, electron_config_cache: join(scratch, 'cache-' + project.split('/').pop()) },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('npm start fetches a missing Electron binary, then launches it on the app folder', () => {
  // The stand-in binary reports where and with what it was launched, the way the real one would open the app.
  const standIn = storedZip([
    { name: 'electron', content: '#!/bin/sh\necho "stand-in electron in $(pwd) with: $*"\n', mode: 0o755 },
    { name: 'version', content: ELECTRON_VERSION },
  ]);
  const sums = `${createHash('sha256').update(standIn).digest('hex')} *${ARCHIVE}\n`;
  const requests: string[] = [];
  let mirror: Server;
  let mirrorUrl = '';

  beforeAll(async () => {
    mirror = createServer((request, response) => {
      requests.push(request.url ?? '');
      const body = request.url === `/v${ELECTRON_VERSION}/${ARCHIVE}` ? standIn : request.url === `/v${ELECTRON_VERSION}/SHASUMS256.txt` ? sums : null;
      if (body === null) response.writeHead(404).end();
      else response.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
    });
    await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
    mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => mirror.close(resolve));
    rmSync(scratch, { recursive: true, force: true });
  });

  it('fetches the archive and its checksums from the mirror, unpacks it, and runs it on the app folder', async () => {
    const project = freshInstall('fetch');
    const run = await npmStart(project, { ELECTRON_MIRROR: mirrorUrl, electron_use_remote_checksums: '1' });
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      `Fetching Electron ${ELECTRON_VERSION} (first start only)...`,
      `stand-in electron in ${project} with: .`,
    ]);
    expect(run.code).toBe(0);
    // The archive is downloaded once; install.js then unpacks it from the cache, checking it against SHASUMS256.txt again.
    const archiveRequests = () => requests.filter((url) => url === `/v${ELECTRON_VERSION}/${ARCHIVE}`).length;
    expect(archiveRequests()).toBe(1);
    expect(requests).toContain(`/v${ELECTRON_VERSION}/SHASUMS256.txt`);
    expect(readFileSync(join(project, 'node_modules', 'electron', 'path.txt'), 'utf8')).toBe('electron');

    const again = await npmStart(project, { ELECTRON_MIRROR: mirrorUrl, electron_use_remote_checksums: '1' });
    expect(again.stdout.split('\n').filter(Boolean)).toEqual([`stand-in electron in ${project} with: .`]);
    expect(archiveRequests()).toBe(1);
  });

  it('refuses an archive whose checksum does not match, and says so in one line', async () => {
    const project = freshInstall('bad-checksum');
    const forged = createServer((request, response) => {
      const body = request.url?.endsWith('SHASUMS256.txt') ? `${'0'.repeat(64)} *${ARCHIVE}\n` : standIn;
      response.writeHead(200).end(body);
    });
    await new Promise<void>((resolve) => forged.listen(0, '127.0.0.1', resolve));
    try {
      const run = await npmStart(project, { ELECTRON_MIRROR: `http://127.0.0.1:${(forged.address() as AddressInfo).port}/`, electron_use_remote_checksums: '1' }, ['--exit']);
      const lines = run.stdout.split('\n').filter(Boolean);
      expect(lines[1]).toMatch(/^Electron could not be fetched \(.*checksum.*\); starting the headless dashboard instead\.$/i);
      expect(lines[2]).toBe('headless server args ["--exit"]');
      expect(existsSync(join(project, 'node_modules', 'electron', 'dist', 'electron'))).toBe(false);
    } finally {
      await new Promise((resolve) => forged.close(resolve));
    }
  });

  it('offline, prints one line with the real reason and runs the headless dashboard with the same arguments', async () => {
    const project = freshInstall('offline');
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await npmStart(project, { ELECTRON_MIRROR: `http://127.0.0.1:${port}/` }, ['--exit', '--port', '7500']);
    expect(run.code).toBe(7);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      `Fetching Electron ${ELECTRON_VERSION} (first start only)...`,
      electronMissingNotice(`fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`),
      'headless server args ["--exit","--port","7500"]',
    ]);
  });
});
