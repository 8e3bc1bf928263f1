// HAProxy's config file for one data folder: replaced only with a render `haproxy -c` accepts, and compared with a fresh one
// and with the one HAProxy last loaded.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { ConfiguredServer } from './config.js';
import type { RequestLogSecret } from './request-log-secret.js';

export interface ConfigFileOptions {
  bin: string;
  dataDir: string;
  /** Where HAProxy reads its config. */
  path: string;
  /** The pid file and runtime socket the supervisor relies on: a render must name both. */
  pidfilePath: string;
  socketPath: string;
  /** Renders the config with the given servers in the backend and, when there is one, this request log secret. */
  render: (servers: ConfiguredServer[], requestLogSecret?: string) => string;
  /** Gives every config written for HAProxy to run on a fresh request log secret. */
  requestLogSecret?: RequestLogSecret;
}

export class ConfigFile {
  constructor(private readonly options: ConfigFileOptions) {}

  /**
   * Writes the config only after haproxy accepted it, so a bad render never replaces a good file. Its request log
   * secret counts from then on: the caller starts or reloads HAProxy on this file next.
   */
  async write(servers: ConfiguredServer[]): Promise<void> {
    const secrets = this.options.requestLogSecret;
    const secret = secrets?.fresh();
    const text = this.options.render(servers, secret);
    for (const path of [this.options.pidfilePath, this.options.socketPath]) {
      if (!text.includes(path)) {
        throw new Error(`The rendered HAProxy config does not use ${path}; render it with the supervisor's data folder (${this.options.dataDir})`);
      }
    }
    const candidate = `${this.options.path}.new`;
    await writeFile(candidate, text, { mode: 0o600 });
    const problem = await this.haproxyCheck(candidate);
    if (problem !== undefined) {
      throw new Error(`HAProxy rejected the generated config (kept in ${candidate}): ${problem}`);
    }
    await rename(candidate, this.options.path);
    if (secrets && secret !== undefined) secrets.commit(secret);
  }

  /** Throws HAProxy's own words when it would refuse this config text; writes nothing the running HAProxy reads. */
  async check(text: string): Promise<void> {
    const candidate = `${this.options.path}.check`;
    await writeFile(candidate, text, { mode: 0o600 });
    try {
      const problem = await this.haproxyCheck(candidate);
      if (problem !== undefined) throw new Error(`HAProxy refuses this configuration: ${problem}`);
    } finally {
      await rm(candidate, { force: true });
    }
  }

  /**
   * Records that HAProxy runs the file as it is now (after a start, or a reload its new worker completed): a file
   * written afterwards and never loaded, because the app was killed between the write and the reload, then shows as
   * stale although it renders the current settings.
   */
  async markLoaded(): Promise<void> {
    const onDisk = await readFile(this.options.path, 'utf8');
    const temp = `${this.loadedPath}.new`;
    await writeFile(temp, `${fingerprint(onDisk)}\n`, { mode: 0o600 });
    await rename(temp, this.loadedPath);
  }

  /**
   * HAProxy may not run what renders now: the file was never loaded, or differs from the render; the servers a
   * reload carried into it do not count. Without a record of what was loaded (HAProxy started by an earlier
   * version), the file is taken as loaded.
   */
  async isStale(): Promise<boolean> {
    const onDisk = await readFile(this.options.path, 'utf8').catch(() => '');
    const loaded = await readFile(this.loadedPath, 'utf8').catch(() => null);
    if (loaded !== null && loaded.trim() !== fingerprint(onDisk)) return true;
    const rendered = this.options.render([], this.options.requestLogSecret?.inUse() ?? undefined);
    return withoutServerLines(onDisk) !== withoutServerLines(rendered);
  }

  private get loadedPath(): string {
    return `${this.options.path}.loaded`;
  }

  private haproxyCheck(file: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      execFile(this.options.bin, ['-c', '-f', file], { timeout: 10_000 }, (error, stdout, stderr) => {
        resolve(error ? alertsIn(`${stderr}${stdout}`) || error.message : undefined);
      });
    });
  }
}

function fingerprint(config: string): string {
  return createHash('sha256').update(config).digest('hex');
}

function withoutServerLines(config: string): string {
  return config.split('\n').filter((line) => !/^\s+server\s/.test(line)).join('\n');
}

/** haproxy's [ALERT] lines without their prefixes, or the whole output when there are none. */
export function alertsIn(output: string): string {
  const alerts = output
    .split('\n')
    .filter((line) => line.includes('[ALERT]'))
    .map((line) => line.replace(/^\[ALERT\]\s*\(\d+\)\s*:\s*/, ''));
  return alerts.length > 0 ? alerts.join('; ') : output.trim();
}
