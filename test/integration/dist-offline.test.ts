// npm run dist offline with Electron already cached: electron-builder starts, its other downloads fail, and the run
// still ends in one line. Runs electron-builder for real (about 10-40 s), so it lives with the slow tests.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/waiting.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('npm run dist with Electron cached but no network', () => {
  it('shows electron-builder\'s progress, then ends in one line saying what could not be downloaded, no stack trace', async () => {
    // A cached Electron archive lets packaging begin; the native-module rebuild then needs Electron's headers.
    const cache = mkdtempSync(join(tmpdir(), 'scaledeck-electron-cached-'));
    mkdirSync(join(cache, 'by-url-hash'));
    writeFileSync(join(cache, 'by-url-hash', `electron-v45.5.0-${process.platform}-${process.arch}.zip`), '');
    try {
      const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'dist.js')], {
        env: { ...process.env, ELECTRON_MIRROR: `http://127.0.0.1:${await freePort()}/`, electron_config_cache: cache },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(result.status).not.toBe(0);
      expect(result.stdout.split('\n').filter(Boolean).every((line) => /^\s*•/.test(line))).toBe(true);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Packaging needs downloads this machine cannot reach .*\(log: release\/electron-builder\.log\)\.$/)]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
