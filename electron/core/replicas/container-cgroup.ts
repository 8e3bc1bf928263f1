// Container CPU and memory straight from the kernel's cgroup files, when the engine runs on this machine: the same
// counters Docker's stats stream is made from, read in microseconds, with no stream to parse and no work for dockerd.
import { readFileSync } from 'node:fs';
import type { ReplicaStats } from './replica-driver.js';

/** One mounted cgroup hierarchy: a v1 one with its controllers, or the unified v2 one. */
export interface CgroupMount {
  version: 1 | 2;
  /** v1 only: the controllers mounted there, e.g. ['cpu', 'cpuacct']. */
  controllers: string[];
  /** The cgroup path that is the mount's root (`/` outside a cgroup namespace). */
  root: string;
  mountPoint: string;
}

/** Where one container's counters are, and in which layout. */
export interface CgroupFiles {
  /** v1 `cpuacct.usage` (ns) or v2 `cpu.stat` (usage_usec). */
  cpu: { path: string; version: 1 | 2 };
  /** v1 `memory.usage_in_bytes` or v2 `memory.current`, with the `memory.stat` beside it. */
  memory: { usage: string; stat: string; version: 1 | 2 };
}

/** mountinfo writes a space, tab, newline or backslash in a path as a three-digit octal escape. */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The cgroup hierarchies in a /proc/PID/mountinfo. */
export function cgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    // Fields: id parent major:minor root mount-point options [optional...] - fstype source super-options.
    const [before, after] = line.split(' - ');
    if (!after) continue;
    const fields = before.split(' ');
    const [fsType, , superOptions = ''] = after.split(' ');
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    mounts.push({
      version: fsType === 'cgroup2' ? 2 : 1,
      controllers: fsType === 'cgroup' ? superOptions.split(',') : [],
      root: unescapeMountPath(fields[3] ?? '/'),
      mountPoint: unescapeMountPath(fields[4] ?? ''),
    });
  }
  return mounts;
}

/** The folder of a cgroup path under a mount, or null when the mount does not reach it. */
function folderUnder(mount: CgroupMount, cgroupPath: string): string | null {
  const root = mount.root.replace(/\/$/, '');
  if (root && cgroupPath !== root && !cgroupPath.startsWith(`${root}/`)) return null;
  return `${mount.mountPoint}${cgroupPath.slice(root.length)}`;
}

/**
 * A container's counter files from its main process's /proc/PID/cgroup, or null when that process is not the
 * container's here: a cgroup of its own names the container's full id in every layout (`/docker/<id>`,
 * `/system.slice/docker-<id>.scope`, a rootless user's slice), while a pid of an engine in a VM, or in another pid
 * namespace, names some other cgroup or none. A v1 controller is taken where one is mounted, as the engine does.
 */
export function containerCgroupFiles(procCgroup: string, mounts: CgroupMount[], containerId: string): CgroupFiles | null {
  let cpu: CgroupFiles['cpu'] | undefined;
  let memory: CgroupFiles['memory'] | undefined;
  let unified: string | undefined;
  for (const line of procCgroup.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match || !match[3].includes(containerId)) continue;
    const [, , controllerList, cgroupPath] = match;
    if (controllerList === '') {
      const mount = mounts.find((candidate) => candidate.version === 2);
      unified = mount ? folderUnder(mount, cgroupPath) ?? undefined : undefined;
      continue;
    }
    const controllers = controllerList.split(',');
    for (const mount of mounts) {
      if (mount.version !== 1 || !controllers.some((name) => mount.controllers.includes(name))) continue;
      const folder = folderUnder(mount, cgroupPath);
      if (!folder) continue;
      if (!cpu && mount.controllers.includes('cpuacct')) cpu = { path: `${folder}/cpuacct.usage`, version: 1 };
      if (!memory && mount.controllers.includes('memory')) memory = { usage: `${folder}/memory.usage_in_bytes`, stat: `${folder}/memory.stat`, version: 1 };
    }
  }
  if (unified) {
    cpu ??= { path: `${unified}/cpu.stat`, version: 2 };
    memory ??= { usage: `${unified}/memory.current`, stat: `${unified}/memory.stat`, version: 2 };
  }
  return cpu && memory ? { cpu, memory } : null;
}

/** Nanoseconds of CPU the cgroup used since it began. */
export function cpuNsOf(text: string, version: 1 | 2): number {
  if (version === 1) return Number(text.trim());
  const usec = /^usage_usec (\d+)$/m.exec(text);
  if (!usec) throw new Error('cpu.stat has no usage_usec');
  return Number(usec[1]) * 1000;
}

/** Memory in use without the inactive page cache, which is reclaimable at once: what `docker stats` shows. */
export function memoryBytesOf(usage: string, stat: string, version: 1 | 2): number {
  // v1's memory.stat holds both this cgroup's own counters and the hierarchy's `total_` ones; Docker takes the latter.
  const name = version === 1 ? 'total_inactive_file' : 'inactive_file';
  const inactive = new RegExp(`^${name} (\\d+)$`, 'm').exec(stat);
  return Math.max(0, Number(usage.trim()) - Number(inactive?.[1] ?? 0));
}

/** The shortest span a CPU share is measured over: shorter ones are mostly the scheduler's rounding. */
const MIN_SPAN_MS = 200;

/** Reads one container's counters; CPU is the share of the limit used since the previous reading. */
export class ContainerCgroup {
  private previous: { cpuNs: number; atMs: number };

  /** Throws when a file cannot be read: the caller then uses the engine's stats instead. */
  constructor(private readonly files: CgroupFiles) {
    this.previous = { cpuNs: this.cpuNs(), atMs: performance.now() };
    this.memBytes();
  }

  private cpuNs(): number {
    return cpuNsOf(readFileSync(this.files.cpu.path, 'utf8'), this.files.cpu.version);
  }

  private memBytes(): number {
    const { usage, stat, version } = this.files.memory;
    return memoryBytesOf(readFileSync(usage, 'utf8'), readFileSync(stat, 'utf8'), version);
  }

  /** Throws ENOENT once the container has stopped: the engine removes its cgroup. */
  async read(cpuLimit: number): Promise<ReplicaStats> {
    const sinceMs = performance.now() - this.previous.atMs;
    if (sinceMs < MIN_SPAN_MS) await new Promise((wait) => setTimeout(wait, MIN_SPAN_MS - sinceMs));
    const cpuNs = this.cpuNs();
    const atMs = performance.now();
    const memBytes = this.memBytes();
    const usedCores = Math.max(0, cpuNs - this.previous.cpuNs) / ((atMs - this.previous.atMs) * 1e6);
    this.previous = { cpuNs, atMs };
    return { cpuPercent: (usedCores / cpuLimit) * 100, memBytes };
  }
}

let mountsOfThisProcess: CgroupMount[] | undefined;

/** The counters of the container whose main process is `pid` on this machine, or null when they cannot be read here. */
export function localContainerCgroup(containerId: string, pid: number): ContainerCgroup | null {
  if (process.platform !== 'linux' || !(pid > 0)) return null;
  try {
    mountsOfThisProcess ??= cgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
    const files = containerCgroupFiles(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), mountsOfThisProcess, containerId);
    return files ? new ContainerCgroup(files) : null;
  } catch {
    return null;
  }
}
