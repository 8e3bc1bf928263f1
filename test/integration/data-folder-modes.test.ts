// The data folder is the owner's alone: an older folder left open (0755 folders, 0644 files) is tightened at start
// with one log line, and every file the running app, its HAProxy (start and reload) and its replicas write is 0600.
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createControlPlane } from '../../electron/core/compose-control-plane.js';
import type { ControlPlane } from '../../electron/core/control-plane.js';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { hasHaproxy } from '../support/requirements.js';
import { freePort, repoPaths, waitFor } from '../support/control-plane-fixture.js';

/** Every file and folder under `dir` (itself included) that a group or other user may use, with its mode. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const visit = (entry: string) => {
    const stats = lstatSync(entry);
    if (!stats.isFile() && !stats.isDirectory()) return;
    if ((stats.mode & 0o077) !== 0) found.push(`${path.relative(dir, entry) || '.'} ${(stats.mode & 0o777).toString(8)}`);
    if (stats.isDirectory()) readdirSync(entry).forEach((name) => visit(path.join(entry, name)));
  };
  visit(dir);
  return found;
}

function allEntries(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

describe.skipIf(!hasHaproxy())('the data folder\'s permissions', () => {
  let dataDir = '';
  let plane: ControlPlane | undefined;
  afterEach(async () => {
    await plane?.shutdown({ keepRunning: false });
    plane = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('are tightened at start when an older folder was open, and every file written later is 0600', async () => {
    // Files created here must come out 0644 and folders 0755, as an older version left them.
    const umask = process.umask();
    expect(umask & 0o044, `this test needs a umask that leaves files readable by others (it is ${umask.toString(8)})`).toBe(0);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'sd-modes-'));
    chmodSync(dataDir, 0o755);
    const store = new SettingsStore(dataDir);
    store.update({ driver: 'process', frontendPort: await freePort(), statsPort: await freePort(), mode: 'manual', sampleIntervalMs: 500 });
    store.setDesired(1);
    mkdirSync(path.join(dataDir, 'history'), { mode: 0o755 });
    chmodSync(path.join(dataDir, 'history'), 0o755);
    for (const file of ['settings.json', 'request-log.port', 'history/samples-2026010100.ndjson']) {
      if (file !== 'settings.json') writeFileSync(path.join(dataDir, file), file.endsWith('.port') ? '1\n' : '');
      chmodSync(path.join(dataDir, file), 0o644);
    }
    const before = openToOthers(dataDir);
    expect(before.length).toBeGreaterThanOrEqual(5);

    const lines: string[] = [];
    plane = await createControlPlane({ dataDir, paths: repoPaths, app: `modes${process.pid}`, log: (line) => lines.push(line) });
    const tightened = lines.filter((line) => /open to other users/.test(line));
    expect(tightened).toHaveLength(1);
    expect(tightened[0]).toMatch(new RegExp(`${before.length} file\\(s\\) and folder\\(s\\)`));

    // A replica (its log and pid record), a HAProxy reload (config, server-state file), samples and events on disk.
    await waitFor(() => plane!.snapshot().replicas.some((r) => r.state === 'ready'), 60_000, 'a ready replica');
    const statsPort = await freePort();
    expect(await plane.updateSettings({ statsPort })).toEqual({ result: expect.objectContaining({ statsPort }) });
    await waitFor(() => allEntries(dataDir).some((name) => name === 'haproxy-servers.state'), 10_000, 'the reload\'s server-state file');
    await waitFor(() => allEntries(dataDir).filter((name) => name.startsWith('history/')).length >= 2, 15_000, 'history segments of this run');
    const written = allEntries(dataDir);
    console.log(`[data folder] ${before.length} open entries before start (${before.join(', ')}); after a replica, a reload and history: ${written.length} entries`);
    for (const expected of ['settings.json', 'haproxy.cfg', 'haproxy.pid', 'request-log.secret', 'scaledeck.lock.pid', 'haproxy-servers.state', 'health-paths.map']) {
      expect(written).toContain(expected);
    }
    expect(written.some((name) => name.startsWith('replicas/') && name.endsWith('.log'))).toBe(true);
    expect(openToOthers(dataDir)).toEqual([]);
    expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
  });
});
