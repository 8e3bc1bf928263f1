import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failureLine } from '../../../scripts/dist.js';
import { freePort } from '../../support/waiting.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const emptyCache = mkdtempSync(join(tmpdir(), 'scaledeck-electron-cache-'));
afterAll(() => rmSync(emptyCache, { recursive: true, force: true }));

describe('npm run dist without access to the Electron download', () => {
  it('prints one clear line, no stack trace, and exits non-zero before packaging anything', async () => {
    const mirror = `http://127.0.0.1:${await freePort()}/`;
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'dist.js')], {
      env: { ...process.env, ELECTRON_MIRROR: mirror, electron_config_cache: emptyCache },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      'Packaging needs the Electron binary from GitHub, which this machine cannot reach; run npm run dist on a machine with internet access.',
    ]);
  });
});

describe('the line that ends a failed packaging run', () => {
  it('names the missing downloads when the output shows a network failure', () => {
    expect(failureLine('  ⨯ getaddrinfo ENOTFOUND github.com\n    at x (y.js:1:1)', 'exit code 1')).toMatch(/^Packaging needs downloads this machine cannot reach/);
  });

  it('otherwise gives electron-builder\'s own error line without its stack trace', () => {
    const output = '  • loaded configuration\n  ⨯ Application entry file "dist/electron/main.js" does not exist  stackTrace=Error: Application entry\n    at a (b.js:1:1)';
    expect(failureLine(output, 'exit code 1', 'release/x.log')).toBe(
      'electron-builder failed (exit code 1): Application entry file "dist/electron/main.js" does not exist (log: release/x.log).',
    );
  });
});
