// The machine a benchmark ran on, recorded beside its figures: numbers mean little without it.
import { execFile } from 'node:child_process';
import os from 'node:os';
import Dockerode from 'dockerode';
import { haproxyVersion } from '../../haproxy/version.js';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryMb: number;
  os: string;
  node: string;
  docker: string | null;
  haproxy: string | null;
  chromium: string | null;
  /** Load average over the last minute when the run started: other work on a shared machine skews the figures. */
  loadAverage1m: number;
}

export const CHROMIUM = process.env.SCALEDECK_CHROMIUM ?? '/usr/bin/chromium';

function chromiumVersion(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(CHROMIUM, ['--version'], { timeout: 10_000 }, (error, stdout) => resolve(error ? null : stdout.trim()));
  });
}

export async function machineInfo(): Promise<MachineInfo> {
  const cpus = os.cpus();
  const docker = await new Dockerode().version().then((v) => v.Version, () => null);
  const haproxy = await haproxyVersion().catch(() => null);
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    docker,
    haproxy,
    chromium: await chromiumVersion(),
    loadAverage1m: Number(os.loadavg()[0]?.toFixed(2)),
  };
}
