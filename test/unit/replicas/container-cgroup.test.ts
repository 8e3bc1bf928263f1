import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cgroupMounts, containerCgroupFiles, ContainerCgroup, cpuNsOf, memoryBytesOf, type CgroupMount,
} from '../../../electron/core/replicas/container-cgroup.js';

const ID = 'ff78691e8612980ae66f3e374d1aaa2d6719579a979850fc37da7c750ceab96e';

// A Debian host with the v1 controllers mounted one per folder and the empty v2 hierarchy beside them (hybrid).
const HYBRID_MOUNTINFO = [
  '25 30 0:23 / /proc rw,nosuid,nodev,noexec,relatime shared:14 - proc proc rw',
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate',
].join('\n');

const V1_PROC_CGROUP = [
  '9:name=systemd:/docker/ID',
  '4:memory:/docker/ID',
  '2:cpuacct:/docker/ID',
  '1:cpu:/docker/ID',
  '0::/docker/ID',
].join('\n').replaceAll('ID', ID);

// A current distribution: only the unified hierarchy, and the engine's systemd cgroup driver.
const V2_MOUNTINFO = '35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';
const V2_PROC_CGROUP = `0::/system.slice/docker-${ID}.scope`;

describe('cgroupMounts', () => {
  it('finds the v1 hierarchies with their controllers and the v2 one, and nothing else', () => {
    expect(cgroupMounts(HYBRID_MOUNTINFO)).toEqual([
      { version: 1, controllers: ['rw', 'cpu'], root: '/', mountPoint: '/sys/fs/cgroup/cpu' },
      { version: 1, controllers: ['rw', 'cpuacct'], root: '/', mountPoint: '/sys/fs/cgroup/cpuacct' },
      { version: 1, controllers: ['rw', 'memory'], root: '/', mountPoint: '/sys/fs/cgroup/memory' },
      { version: 1, controllers: ['rw', 'xattr', 'name=systemd'], root: '/', mountPoint: '/sys/fs/cgroup/systemd' },
      { version: 2, controllers: [], root: '/', mountPoint: '/sys/fs/cgroup/unified' },
    ]);
  });

  it('reads an escaped space in a mount point', () => {
    expect(cgroupMounts('50 1 0:40 / /mnt/my\\040cgroups rw - cgroup2 none rw')[0]?.mountPoint).toBe('/mnt/my cgroups');
  });
});

describe('containerCgroupFiles', () => {
  it('takes the v1 cpuacct and memory controllers on a hybrid host, as the engine does', () => {
    expect(containerCgroupFiles(V1_PROC_CGROUP, cgroupMounts(HYBRID_MOUNTINFO), ID)).toEqual({
      cpu: { path: `/sys/fs/cgroup/cpuacct/docker/${ID}/cpuacct.usage`, version: 1 },
      memory: { usage: `/sys/fs/cgroup/memory/docker/${ID}/memory.usage_in_bytes`, stat: `/sys/fs/cgroup/memory/docker/${ID}/memory.stat`, version: 1 },
    });
  });

  it('finds cpu and cpuacct mounted together', () => {
    const mounts = cgroupMounts([
      '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct',
      '35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
    ].join('\n'));
    const files = containerCgroupFiles(`4:memory:/docker/${ID}\n3:cpu,cpuacct:/docker/${ID}`, mounts, ID);
    expect(files?.cpu.path).toBe(`/sys/fs/cgroup/cpu,cpuacct/docker/${ID}/cpuacct.usage`);
  });

  it('reads the unified hierarchy where it is the only one', () => {
    expect(containerCgroupFiles(V2_PROC_CGROUP, cgroupMounts(V2_MOUNTINFO), ID)).toEqual({
      cpu: { path: `/sys/fs/cgroup/system.slice/docker-${ID}.scope/cpu.stat`, version: 2 },
      memory: {
        usage: `/sys/fs/cgroup/system.slice/docker-${ID}.scope/memory.current`,
        stat: `/sys/fs/cgroup/system.slice/docker-${ID}.scope/memory.stat`,
        version: 2,
      },
    });
  });

  it('strips a mount root that is not the hierarchy\'s own, and ignores a mount that does not reach the cgroup', () => {
    const mounts: CgroupMount[] = [
      { version: 2, controllers: [], root: '/user.slice', mountPoint: '/sys/fs/cgroup' },
    ];
    expect(containerCgroupFiles(`0::/user.slice/docker-${ID}.scope`, mounts, ID)?.cpu.path).toBe(`/sys/fs/cgroup/docker-${ID}.scope/cpu.stat`);
    expect(containerCgroupFiles(`0::/system.slice/docker-${ID}.scope`, mounts, ID)).toBeNull();
  });

  it('refuses a process that is not in the container\'s cgroup: an engine in a VM, or another pid namespace', () => {
    expect(containerCgroupFiles('0::/user.slice/user-1000.slice/session-2.scope', cgroupMounts(V2_MOUNTINFO), ID)).toBeNull();
    // In a cgroup namespace a container sees its own cgroup as the root, with no id to check.
    expect(containerCgroupFiles('0::/', cgroupMounts(V2_MOUNTINFO), ID)).toBeNull();
  });

  it('needs both CPU and memory counters', () => {
    const cpuOnly = cgroupMounts('33 31 0:30 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct');
    expect(containerCgroupFiles(`2:cpuacct:/docker/${ID}`, cpuOnly, ID)).toBeNull();
  });
});

describe('counters', () => {
  it('reads CPU in nanoseconds from v1 and from v2\'s microseconds', () => {
    expect(cpuNsOf('80523149\n', 1)).toBe(80_523_149);
    expect(cpuNsOf('usage_usec 80523\nuser_usec 60000\nsystem_usec 20523\n', 2)).toBe(80_523_000);
    expect(() => cpuNsOf('user_usec 1\n', 2)).toThrow(/usage_usec/);
  });

  it('leaves out the inactive page cache, the hierarchy\'s on v1', () => {
    const v1Stat = 'cache 600000\ninactive_file 4096\ntotal_cache 600000\ntotal_inactive_file 487424\n';
    expect(memoryBytesOf('31678464\n', v1Stat, 1)).toBe(31_678_464 - 487_424);
    expect(memoryBytesOf('31678464\n', 'anon 20000000\ninactive_file 1000000\nactive_file 5\n', 2)).toBe(30_678_464);
    expect(memoryBytesOf('100\n', 'inactive_file 4096\n', 2)).toBe(0);
  });
});

describe('ContainerCgroup', () => {
  let folder: string | undefined;
  afterEach(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  function fakeCgroup(version: 1 | 2) {
    folder = mkdtempSync(join(tmpdir(), 'scaledeck-cgroup-'));
    mkdirSync(join(folder, 'c'));
    const at = (name: string) => join(folder!, 'c', name);
    const write = (cpuNs: number, usage: number) => {
      writeFileSync(at('cpu'), version === 1 ? `${cpuNs}\n` : `usage_usec ${cpuNs / 1000}\nuser_usec 0\n`);
      writeFileSync(at('usage'), `${usage}\n`);
      writeFileSync(at('stat'), version === 1 ? 'total_inactive_file 1000\n' : 'inactive_file 1000\n');
    };
    write(0, 50_000);
    const cgroup = new ContainerCgroup({ cpu: { path: at('cpu'), version }, memory: { usage: at('usage'), stat: at('stat'), version } });
    return { cgroup, write, folder };
  }

  for (const version of [1, 2] as const) {
    it(`reports v${version} CPU as a share of the limit since the previous reading, and memory`, async () => {
      const { cgroup, write } = fakeCgroup(version);
      const started = performance.now();
      // Half a core for the span the reading waits out (at least 200 ms): a full 0.5-CPU limit.
      write(100_000_000, 9_000);
      const stats = await cgroup.read(0.5);
      const spanMs = performance.now() - started;
      expect(spanMs).toBeGreaterThanOrEqual(199);
      expect(stats.memBytes).toBe(8_000);
      expect(stats.cpuPercent).toBeLessThanOrEqual(100 * (200 / 199));
      expect(stats.cpuPercent).toBeGreaterThan(100 * (200 / (spanMs + 20)));
    });
  }

  it('throws once the container is gone, as its cgroup goes with it', async () => {
    const { cgroup, folder: made } = fakeCgroup(1);
    rmSync(join(made, 'c'), { recursive: true });
    await expect(cgroup.read(1)).rejects.toThrow(/ENOENT/);
  });

  it('cannot be made from files that do not exist', () => {
    expect(() => new ContainerCgroup({ cpu: { path: '/nonexistent/cpu', version: 1 }, memory: { usage: '/nonexistent/u', stat: '/nonexistent/s', version: 1 } })).toThrow();
  });
});
