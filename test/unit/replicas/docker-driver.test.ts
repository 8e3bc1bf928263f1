// What the docker driver asks Docker for (labels, limits, bindings) and how it turns stats samples into percentages.
import { describe, expect, it } from 'vitest';
import type Dockerode from 'dockerode';
import { CONTAINER_PORT_LABEL, DockerDriver, containerCreateOptions } from '../../../electron/core/replicas/docker-driver.js';
import { statsFromSample } from '../../../electron/core/replicas/docker-stats.js';
import { APP_LABEL, INSTANCE_LABEL, MANAGED_LABEL, ownershipOf, type ReplicaSpec } from '../../../electron/core/replicas/replica-driver.js';

const spec: ReplicaSpec = { image: 'scaledeck/api:latest', containerPort: 8000, healthPath: '/healthz', cpuLimit: 0.5, memoryLimitMb: 128 };

describe('containerCreateOptions', () => {
  const options = containerCreateOptions(spec, { app: 'demo', name: 'scaledeck-demo-a1b2c3' });

  it('labels the container as managed by this app', () => {
    expect(options.Labels).toMatchObject({ [MANAGED_LABEL]: 'true', [APP_LABEL]: 'demo', [CONTAINER_PORT_LABEL]: '8000' });
    expect(options.name).toBe('scaledeck-demo-a1b2c3');
    expect(options.Image).toBe('scaledeck/api:latest');
  });

  it('publishes the container port on 127.0.0.1 only, on a port Docker picks', () => {
    expect(options.ExposedPorts).toEqual({ '8000/tcp': {} });
    expect(options.HostConfig?.PortBindings).toEqual({ '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  });

  it('limits CPU in nano-CPUs and memory in bytes, without extra swap', () => {
    expect(options.HostConfig?.NanoCpus).toBe(500_000_000);
    expect(options.HostConfig?.Memory).toBe(128 * 1024 * 1024);
    expect(options.HostConfig?.MemorySwap).toBe(128 * 1024 * 1024);
  });

  it("turns the image's own health check off: HAProxy checks the replica, and the probe would count as its CPU", () => {
    expect(options.Healthcheck).toEqual({ Test: ['NONE'] });
  });

  it('gains no privileges through setuid binaries and runs at most 256 processes', () => {
    expect(options.HostConfig?.SecurityOpt).toEqual(['no-new-privileges']);
    expect(options.HostConfig?.PidsLimit).toBe(256);
  });

  it('never restarts by itself and gives a stop grace', () => {
    expect(options.HostConfig?.RestartPolicy).toEqual({ Name: 'no' });
    expect(options.StopTimeout).toBe(30);
    expect(containerCreateOptions(spec, { app: 'demo', name: 'n', stopTimeoutS: 5 }).StopTimeout).toBe(5);
  });

  it('tells the api which port to listen on', () => {
    const other = containerCreateOptions({ ...spec, containerPort: 9000, cpuLimit: 1.25, memoryLimitMb: 64 }, { app: 'demo', name: 'n' });
    expect(other.Env).toContain('PORT=9000');
    expect(other.HostConfig?.PortBindings).toEqual({ '9000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
    expect(other.HostConfig?.NanoCpus).toBe(1_250_000_000);
    expect(other.HostConfig?.Memory).toBe(64 * 2 ** 20);
  });
});

describe('whose a container is, by its labels', () => {
  const ours = { [MANAGED_LABEL]: 'true', [APP_LABEL]: 'demo' };

  it('is ours with this app and this data folder\'s instance', () => {
    expect(ownershipOf({ ...ours, [INSTANCE_LABEL]: 'aaaa' }, 'demo', 'aaaa')).toBe('ours');
  });

  it('is never ours with another data folder\'s instance, another app, or without the managed label', () => {
    expect(ownershipOf({ ...ours, [INSTANCE_LABEL]: 'bbbb' }, 'demo', 'aaaa')).toBe('foreign');
    expect(ownershipOf({ ...ours, [INSTANCE_LABEL]: 'aaaa' }, 'other', 'aaaa')).toBe('foreign');
    expect(ownershipOf({ [APP_LABEL]: 'demo', [INSTANCE_LABEL]: 'aaaa' }, 'demo', 'aaaa')).toBe('foreign');
    expect(ownershipOf(undefined, 'demo', 'aaaa')).toBe('foreign');
  });

  it('is unmarked with this app and no instance label: made by an older version, adopted and said so', () => {
    expect(ownershipOf(ours, 'demo', 'aaaa')).toBe('unmarked');
  });
});

describe('DockerDriver', () => {
  it('rejects an app name that cannot be part of a container name', () => {
    expect(() => new DockerDriver({ app: 'my app/1' })).toThrow(/letters, digits or '-'/);
  });
});

function sample(cpu: { total: number; system: number }, pre: { total: number; system: number }, memory = { usage: 50e6, inactive: 10e6 }) {
  return {
    cpu_stats: { cpu_usage: { total_usage: cpu.total }, system_cpu_usage: cpu.system, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: pre.total }, system_cpu_usage: pre.system, online_cpus: 2 },
    memory_stats: { usage: memory.usage, stats: { total_inactive_file: memory.inactive } },
  } as unknown as Dockerode.ContainerStats;
}

describe('statsFromSample', () => {
  it('reports CPU as a percentage of the CPU limit', () => {
    // 2 cores for 1 s = 2e9 ns of host CPU; the container used 0.25e9 ns = a quarter of a core.
    const stats = statsFromSample(sample({ total: 1.25e9, system: 12e9 }, { total: 1e9, system: 10e9 }), 0.5);
    expect(stats?.cpuPercent).toBeCloseTo(50);
  });

  it('reports memory without reclaimable page cache', () => {
    expect(statsFromSample(sample({ total: 2, system: 2 }, { total: 1, system: 1 }), 1)?.memBytes).toBe(40e6);
  });

  it('has no reading without a previous sample to compare with', () => {
    expect(statsFromSample(sample({ total: 1e9, system: 10e9 }, { total: 0, system: 0 }), 1)).toBeNull();
  });
});
