// The HAProxies the data-plane figure measures beside ScaleDeck's own, for the same replica: a bare one from a
// minimal hand-written config (the floor), ScaleDeck's config without the request log, and ScaleDeck's config with
// every request logged and the sampling decision tagged on each line; and the CPU their workers spend.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { closingAclPath, healthPathMapPath, pidfilePath, requestLogSampleAclPath } from '../../haproxy/config.js';
import { unloggedRange } from '../../haproxy/request-log.js';
import { writeHoldScript } from '../../haproxy/request-hold.js';
import { HaproxySupervisor } from '../../haproxy/supervisor.js';
import { haproxyConfigFor } from '../../electron/core/haproxy-settings.js';
import { defaultSettings } from '../../electron/contract/settings-schema.js';
import { benchTempDir, freePort, stopHaproxyOf } from './headless-shell.js';
import { onTeardown } from './teardown.js';

export interface BenchHaproxy {
  frontend: string;
  pidfile: string;
  stop(): Promise<void>;
}

export interface SamplingHaproxy extends BenchHaproxy {
  /** Sets the sampling ACL as ScaleDeck does: `kept` requests in LOG_SAMPLE_SCALE. */
  keep(kept: number): Promise<void>;
}

/** The processes of the HAProxy whose pid file this is: its workers, or itself when it has none; with their CPU ticks. */
function haproxyProcesses(pidfile: string): Array<{ pid: number; ticks: number; threads: number }> {
  const master = Number(readFileSync(pidfile, 'utf8').trim());
  const stats = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state, ppid, ... utime is field 14, stime 15,
      // num_threads 20 of proc(5).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [{ pid: Number(pid), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), threads: Number(fields[17]) }];
    } catch {
      return [];
    }
  });
  const workers = stats.filter((s) => s.ppid === master);
  const counted = workers.length > 0 ? workers : stats.filter((s) => s.pid === master);
  if (counted.length === 0) throw new Error(`No HAProxy process runs under the pid in ${pidfile}`);
  return counted;
}

/** CPU (utime + stime) of the HAProxy whose pid file this is: its workers', or its own when it has none, in ms. */
export function haproxyCpuMs(pidfile: string): number {
  // USER_HZ: the unit of /proc/PID/stat times, 100 on every Linux ScaleDeck runs on.
  const hz = 100;
  return (haproxyProcesses(pidfile).reduce((sum, s) => sum + s.ticks, 0) / hz) * 1000;
}

/** Threads of the HAProxy processes that serve (its workers, or itself): nbthread, whether set or defaulted. */
export function haproxyThreads(pidfile: string): number {
  return haproxyProcesses(pidfile).reduce((sum, s) => sum + s.threads, 0);
}

/** Pins every thread of the HAProxy (master and workers, so a reload's new worker stays there too) to `cpu`. */
export async function pinHaproxy(pidfile: string, cpu: number): Promise<void> {
  const master = Number(readFileSync(pidfile, 'utf8').trim());
  for (const pid of new Set([master, ...haproxyProcesses(pidfile).map((s) => s.pid)])) {
    await promisify(execFile)('taskset', ['-a', '-p', '-c', String(cpu), String(pid)]);
  }
}

/** (b) The floor: `haproxy` from the smallest config that proxies HTTP to the replica, no checks, no log. */
export async function startBareHaproxy(replicaPort: number): Promise<BenchHaproxy> {
  const dataDir = benchTempDir();
  const port = await freePort();
  const config = path.join(dataDir, 'haproxy.cfg');
  const pidfile = path.join(dataDir, 'haproxy.pid');
  writeFileSync(config, [
    'global', '    maxconn 4096',
    'defaults', '    mode http', '    timeout connect 2s', '    timeout client 30s', '    timeout server 30s',
    'frontend bare', `    bind 127.0.0.1:${port}`, '    default_backend replica',
    'backend replica', `    server r1 127.0.0.1:${replicaPort}`,
    '',
  ].join('\n'));
  const release = onTeardown(`the bare HAProxy in ${dataDir}`, async () => {
    await stopHaproxyOf(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });
  await promisify(execFile)('haproxy', ['-D', '-f', config, '-p', pidfile]);
  return { frontend: `http://127.0.0.1:${port}/`, pidfile, stop: release };
}

/** ScaleDeck's own config for one replica, from a supervisor like the app's; `tune` edits the rendered text. */
async function startScaledeckConfig(replicaPort: number, requestLogPort: number | null, tune: (config: string) => string = (c) => c): Promise<SamplingHaproxy> {
  const dataDir = benchTempDir();
  const [frontendPort, statsPort] = [await freePort(), await freePort()];
  await writeHoldScript(dataDir);
  for (const file of [healthPathMapPath(dataDir), closingAclPath(dataDir), requestLogSampleAclPath(dataDir)]) writeFileSync(file, '', { mode: 0o600 });
  const settings = { ...defaultSettings, frontendHost: '127.0.0.1', frontendPort, statsPort };
  const secret = randomBytes(16).toString('hex');
  const requestLog = requestLogPort === null ? undefined : { port: requestLogPort, secret };
  const supervisor = new HaproxySupervisor({
    dataDir,
    renderConfig: () => tune(haproxyConfigFor(dataDir, settings, [{ name: 'r1', address: '127.0.0.1', port: replicaPort }], requestLog)),
  });
  const release = onTeardown(`the ScaleDeck-config HAProxy in ${dataDir}`, async () => {
    await supervisor.stop().catch(() => undefined);
    await stopHaproxyOf(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });
  await supervisor.start();
  const keep = async (kept: number) => {
    const range = unloggedRange(kept);
    await supervisor.client.replaceAcl(requestLogSampleAclPath(dataDir), range === null ? [] : [range]);
  };
  return { frontend: `http://127.0.0.1:${frontendPort}/`, pidfile: pidfilePath(dataDir), stop: release, keep };
}

/** (c) ScaleDeck's config with latency measurement off: no request log. */
export function startScaledeckWithoutLog(replicaPort: number): Promise<BenchHaproxy> {
  return startScaledeckConfig(replicaPort, null);
}

/** (c) less one of its lines or server options, to price what it adds over the floor; throws if the text is gone. */
export function startScaledeckWithoutPart(replicaPort: number, part: { name: string; lines: RegExp[] }): Promise<BenchHaproxy> {
  return startScaledeckConfig(replicaPort, null, (config) => part.lines.reduce((text, line) => {
    const next = text.replace(line, '');
    if (next === text) throw new Error(`ScaleDeck's config no longer has ${line} (${part.name}): the price list needs updating`);
    return next;
  }, config));
}

/** ScaleDeck's config with its sampled request log sent to `requestLogPort`: (d)'s config apart from the app around it. */
export function startScaledeckWithLog(replicaPort: number, requestLogPort: number): Promise<SamplingHaproxy> {
  return startScaledeckConfig(replicaPort, requestLogPort);
}

/**
 * ScaleDeck's config with its sampling ACL (set with keep()), except that a request the ACL leaves out is logged
 * too, its line ending in "1" instead of "-": the same requests give the full log and the sample.
 */
export function startScaledeckTaggingSample(replicaPort: number, requestLogPort: number): Promise<SamplingHaproxy> {
  return startScaledeckConfig(replicaPort, requestLogPort, (config) => {
    const tagged = config
      .replace('http-request set-log-level silent if scaledeck_unlogged', 'http-request set-var(txn.sd_unlogged) bool(1) if scaledeck_unlogged')
      // Appended after every field the parser reads, so the line still parses as ScaleDeck's.
      .replace(/ %b"/, ' %b %[var(txn.sd_unlogged)]"');
    if (tagged === config || !tagged.includes('txn.sd_unlogged)]"')) throw new Error('ScaleDeck\'s request log lines changed shape: the tagging needs updating');
    return tagged;
  });
}
