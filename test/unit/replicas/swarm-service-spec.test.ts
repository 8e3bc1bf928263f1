// What the swarm driver asks Swarm for: labels on the service and its containers, limits, image by ID, host-mode port.
import { describe, expect, it } from 'vitest';
import type Dockerode from 'dockerode';
import { CONTAINER_PORT_LABEL } from '../../../electron/core/replicas/docker-driver.js';
import { APP_LABEL, INSTANCE_LABEL, MANAGED_LABEL, type ReplicaSpec } from '../../../electron/core/replicas/replica-driver.js';
import { GENERATION_LABEL, HEALTH_PATH_LABEL, generationOf } from '../../../electron/core/replicas/generation.js';
import {
  HEALTH_PATH_ENV, IMAGE_LABEL, RESTART_DELAY_S, TASK_SPEC_LABEL, UPDATE_MONITOR_S, serviceSpec,
} from '../../../electron/core/replicas/swarm/service-spec.js';

const spec: ReplicaSpec = { image: 'scaledeck/api:latest', containerPort: 8000, healthPath: '/healthz', cpuLimit: 0.5, memoryLimitMb: 128 };
const imageId = `sha256:${'ab'.repeat(32)}`;
const identity = { app: 'demo', service: 'scaledeck-api', imageId };

describe('serviceSpec', () => {
  const service = serviceSpec(spec, identity);
  // serviceSpec always builds a container task.
  const template = service.TaskTemplate as Dockerode.ContainerTaskSpec;

  it('names the service and labels it, and its task containers, as managed by this app', () => {
    expect(service.Name).toBe('scaledeck-api');
    const ours = { [MANAGED_LABEL]: 'true', [APP_LABEL]: 'demo', [CONTAINER_PORT_LABEL]: '8000' };
    expect(service.Labels).toMatchObject({ ...ours, [IMAGE_LABEL]: 'scaledeck/api:latest' });
    expect(template.ContainerSpec?.Labels).toMatchObject(ours);
  });

  it('labels the service and its task containers with the data folder\'s instance, and bounds each task\'s processes', () => {
    const labelled = serviceSpec(spec, { ...identity, instance: 'aaaaaaaaaaaa' });
    expect(labelled.Labels[INSTANCE_LABEL]).toBe('aaaaaaaaaaaa');
    expect((labelled.TaskTemplate as Dockerode.ContainerTaskSpec).ContainerSpec?.Labels?.[INSTANCE_LABEL]).toBe('aaaaaaaaaaaa');
    expect(template.Resources?.Limits?.Pids).toBe(256);
  });

  it('labels the service and each task with its generation and health path, as the docker driver labels containers', () => {
    const generation = { [GENERATION_LABEL]: generationOf(spec), [HEALTH_PATH_LABEL]: '/healthz', [IMAGE_LABEL]: 'scaledeck/api:latest' };
    expect(template.ContainerSpec?.Labels).toMatchObject(generation);
    expect(service.Labels).toMatchObject(generation);
    const moved = serviceSpec({ ...spec, healthPath: '/ready' }, identity).TaskTemplate as Dockerode.ContainerTaskSpec;
    expect(moved.ContainerSpec?.Labels?.[HEALTH_PATH_LABEL]).toBe('/ready');
    expect(moved.ContainerSpec?.Labels?.[GENERATION_LABEL]).not.toBe(generationOf(spec));
  });

  it("rolls updates one task at a time, new first, and rolls back on the first failure; a rollback goes new-first too", () => {
    const step = { Parallelism: 1, Order: 'start-first', Monitor: UPDATE_MONITOR_S * 1e9, MaxFailureRatio: 0 };
    expect(service.UpdateConfig).toEqual({ ...step, FailureAction: 'rollback' });
    expect(service.RollbackConfig).toEqual({ ...step, FailureAction: 'pause' });
  });

  it('runs the image by its local ID so no node asks a registry for it', () => {
    expect(template.ContainerSpec?.Image).toBe(imageId);
  });

  it('limits CPU in nano-CPUs and memory in bytes', () => {
    expect(template.Resources?.Limits).toEqual({ NanoCPUs: 500_000_000, MemoryBytes: 128 * 1024 * 1024, Pids: 256 });
  });

  it('publishes the container port in host mode with no fixed published port, so each task gets its own', () => {
    expect(service.EndpointSpec?.Ports).toEqual([{ Protocol: 'tcp', TargetPort: 8000, PublishMode: 'host' }]);
    expect(service.EndpointSpec?.Ports?.[0]).not.toHaveProperty('PublishedPort');
  });

  it('starts with no tasks, restarts dead ones after a short delay, and gives a stop grace', () => {
    expect(service.Mode).toEqual({ Replicated: { Replicas: 0 } });
    expect(template.RestartPolicy).toMatchObject({ Condition: 'any', Delay: RESTART_DELAY_S * 1e9 });
    expect(template.ContainerSpec?.StopGracePeriod).toBe(30e9);
    // Swarm's own stop waits out the grace (the task ignores it) while ScaleDeck drains the task.
    expect(template.ContainerSpec?.StopSignal).toBe('SIGURG');
    expect(serviceSpec(spec, { ...identity, stopGraceS: 5 }).TaskTemplate).toMatchObject({ ContainerSpec: { StopGracePeriod: 5e9 } });
  });

  it('tells the api which port to listen on', () => {
    const other = serviceSpec({ ...spec, containerPort: 9000 }, identity);
    expect(other.TaskTemplate).toMatchObject({ ContainerSpec: { Env: ['PORT=9000', `${HEALTH_PATH_ENV}=/healthz`] } });
    expect(other.EndpointSpec?.Ports?.[0]?.TargetPort).toBe(9000);
  });

  it('changes its task-shape digest when anything that shapes a task changes, and only then', () => {
    const digest = (s: ReplicaSpec, id = imageId) => serviceSpec(s, { ...identity, imageId: id }).Labels[TASK_SPEC_LABEL];
    expect(digest(spec)).toBe(digest({ ...spec }));
    // The health path is in the task's labels and environment now, so it shapes the task too.
    for (const changed of [{ ...spec, cpuLimit: 1 }, { ...spec, memoryLimitMb: 256 }, { ...spec, containerPort: 9000 }, { ...spec, healthPath: '/other' }]) {
      expect(digest(changed)).not.toBe(digest(spec));
    }
    expect(digest(spec, `sha256:${'cd'.repeat(32)}`)).not.toBe(digest(spec));
  });
});
