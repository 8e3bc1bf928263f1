// When the config HAProxy runs is stale: it renders other settings, or it was written and never loaded (a kill between
// the write and the reload), so that a restarted app reloads the HAProxy it adopts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigFile } from '../../../haproxy/config-file.js';

let dir: string;
let statsPort: number;
let file: ConfigFile;
const render = () => `global\n  stats socket ${dir}/haproxy.sock\n  pidfile ${dir}/haproxy.pid\nlisten stats\n  bind 127.0.0.1:${statsPort}\n`;
const configPath = () => path.join(dir, 'haproxy.cfg');

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'scaledeck-config-file-'));
  statsPort = 8404;
  file = new ConfigFile({ bin: 'haproxy', dataDir: dir, path: configPath(), pidfilePath: `${dir}/haproxy.pid`, socketPath: `${dir}/haproxy.sock`, render });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ConfigFile.isStale', () => {
  it('is fresh when the loaded file renders the current settings, and stale once they change', async () => {
    await writeFile(configPath(), render());
    await file.markLoaded();
    expect(await file.isStale()).toBe(false);
    statsPort = 9000;
    expect(await file.isStale()).toBe(true);
  });

  it('is stale when the file on disk renders the current settings but was never loaded', async () => {
    await writeFile(configPath(), render());
    await file.markLoaded();
    statsPort = 9000;
    // What a reload writes before it signals HAProxy's master, the app killed in between.
    await writeFile(configPath(), render());
    expect(await file.isStale()).toBe(true);
    await file.markLoaded();
    expect(await file.isStale()).toBe(false);
  });

  it('takes the file as loaded when there is no record, as for a HAProxy an earlier version started', async () => {
    await writeFile(configPath(), render());
    expect(await file.isStale()).toBe(false);
    statsPort = 9000;
    expect(await file.isStale()).toBe(true);
  });
});
