// A Compose file applied with a real engine, the real Compose CLI and a real HAProxy: the scaled service's replicas
// reach the service left to Compose by its name, callers inside the project reach the scaled one by its name through
// HAProxy, a scale 1 -> 3 -> 1 and a rollout from an edited file lose no request from outside or inside (counted one
// by one), and removing the project leaves what Compose runs alone.
import Dockerode from 'dockerode';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposeProjectView, ServiceView } from '../../electron/contract/contract.js';
import { hasDocker, hasDockerCompose, hasHaproxy } from '../support/requirements.js';
import { expectEveryRequestAnswered, freePort, loadLine, runLoad, startPlane, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';
import { runInNetworkLoad, type InNetworkReport } from '../support/in-network-load.js';

const IMAGE_V1 = 'scaledeck/api:compose-it-v1';
const IMAGE_V2 = 'scaledeck/api:compose-it-v2';

function composeFile(image: string, frontendPort: number): string {
  return `
x-api-env: &api-env
  PORT: "8000"
  DB_URL: http://db:8000
services:
  api:
    image: ${image}
    environment:
      <<: *api-env
      GREETING: \${GREETING:-hello}
    ports: ["127.0.0.1:${frontendPort}:8000"]
    depends_on:
      db: { condition: service_started }
    container_name: shop-api
    x-scaledeck:
      healthPath: /healthz
      mode: manual
      minReplicas: 1
      maxReplicas: 4
  db:
    image: scaledeck/api:latest
    environment: { PORT: "8000" }
    volumes: [data:/data]
    expose: ["8000"]
volumes:
  data:
`;
}

const inNetworkOk = (report: InNetworkReport, issued: number, what: string) => {
  console.log(`[${what}] issued ${report.issued}, ok2xx ${report.ok2xx}, non2xx ${report.non2xx}, errors ${report.errors} ${JSON.stringify(report.errorKinds)}, hosts ${report.hosts}`);
  expect({ issued: report.issued, ok2xx: report.ok2xx, non2xx: report.non2xx, errors: report.errors }, what).toEqual({ issued, ok2xx: issued, non2xx: 0, errors: 0 });
};

describe.skipIf(!hasDocker() || !hasHaproxy() || !hasDockerCompose())('a Compose file applied on Docker behind one HAProxy', () => {
  const docker = new Dockerode();
  const project = `sdit${Math.random().toString(16).slice(2, 8)}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scaledeck-compose-'));
  const file = path.join(dir, 'compose.yaml');
  const network = `${project}_default`;
  let fixture: PlaneFixture | undefined;
  const compose = (...args: string[]) => execFileSync('docker-compose', ['-f', file, '-p', project, ...args], { stdio: 'pipe', timeout: 120_000, encoding: 'utf8' });

  beforeAll(async () => {
    // Two tags of the sample image: an edited file that names the second is a new version to roll out.
    await docker.getImage('scaledeck/api:latest').tag({ repo: 'scaledeck/api', tag: 'compose-it-v1' });
    await docker.getImage('scaledeck/api:latest').tag({ repo: 'scaledeck/api', tag: 'compose-it-v2' });
  });

  afterAll(async () => {
    await fixture?.stop();
    try {
      compose('down', '-v', '--remove-orphans');
    } catch {
      // Nothing of the project was started.
    }
    rmSync(dir, { recursive: true, force: true });
    for (const image of [IMAGE_V1, IMAGE_V2]) await docker.getImage(image).remove().catch(() => undefined);
  });

  it('scales the HTTP service 1 -> 3 -> 1 and rolls out an edited file with no request lost from outside or from inside the project', async () => {
    const frontendPort = await freePort();
    writeFileSync(file, composeFile(IMAGE_V1, frontendPort));
    // What the file leaves to Compose is started by Compose, as a person would.
    compose('up', '-d', 'db');
    fixture = await startPlane({ driver: 'docker' }, { desired: 1 });
    const app = fixture;
    const input = { yaml: composeFile(IMAGE_V1, frontendPort), projectDir: dir, fileName: 'compose.yaml', projectName: project, env: { GREETING: 'hi' } };

    const planned = await app.plane.planCompose(input);
    if ('error' in planned) throw new Error(planned.error);
    const byName = (view: ComposeProjectView, name: string) => view.services.find((s) => s.name === name)!;
    expect(byName(planned.result, 'api')).toMatchObject({ scale: true, service: `${project}.api`, change: 'add', frontend: { host: '127.0.0.1', port: frontendPort } });
    expect(byName(planned.result, 'api').warnings.join(' ')).toMatch(/container_name/);
    // The sample image has a HEALTHCHECK: Compose's container may still be in its first check.
    expect(byName(planned.result, 'db')).toMatchObject({ scale: false, state: expect.stringMatching(/^(running|starting)$/) });
    expect(byName(planned.result, 'db').reasons.join(' ')).toMatch(/volume/);
    expect(planned.result.composeUp).toBe(`docker compose -f compose.yaml -p ${project} up -d db`);
    // A plan starts nothing.
    expect(app.plane.snapshot().services.map((s) => s.name)).toEqual(['web']);

    const applied = await app.plane.applyCompose(input);
    if ('error' in applied) throw new Error(applied.error);
    const name = `${project}.api`;
    const service = (): ServiceView | undefined => app.plane.snapshot().services.find((s) => s.name === name);
    const ready = () => service()?.replicas.filter((r) => r.state === 'ready').length ?? 0;
    await waitFor(() => ready() === 1, 60_000, 'one ready replica of the scaled service');
    expect(service()!.project).toBe(project);
    expect(service()!.frontendUrl).toBe(`http://127.0.0.1:${frontendPort}/`);

    // A replica reaches what Compose runs by its name, with the file's environment.
    const replica = docker.getContainer(service()!.replicas[0]!.id);
    const info = await replica.inspect();
    expect(info.Config.Env).toEqual(expect.arrayContaining(['DB_URL=http://db:8000', 'GREETING=hi', 'PORT=8000']));
    expect(Object.keys(info.NetworkSettings.Networks)).toContain(network);
    const exec = await replica.exec({ Cmd: ['node', '-e', "fetch('http://db:8000/').then(async (r) => console.log(r.status + ' ' + (await r.text())))"], AttachStdout: true, AttachStderr: true, Tty: true });
    const output = await new Promise<string>((resolve, reject) => {
      exec.start({ Tty: true }, (error, stream) => {
        if (error || !stream) return reject(error ?? new Error('no exec stream'));
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        stream.on('end', () => resolve(text));
      });
    });
    expect(output).toMatch(/^200 .*"message":"Hello"/);

    const durationS = 40;
    const outsideGet = runLoad({ url: `http://127.0.0.1:${frontendPort}/`, rate: 40, durationS });
    const outsidePost = runLoad({ url: `http://127.0.0.1:${frontendPort}/echo`, rate: 10, durationS, method: 'POST', body: Buffer.alloc(64 * 1024, 'x') });
    const inside = await runInNetworkLoad({ docker, image: IMAGE_V1, network, url: 'http://api:8000/', rate: 20, durationS, name: `${project}-caller` });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await app.plane.scale({ replicas: 3 }, name)).toEqual({ result: { desired: 3, mode: 'manual' } });
    await waitFor(() => ready() === 3, 60_000, '3 ready replicas');
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await app.plane.scale({ replicas: 1 }, name);
    await waitFor(() => (service()?.replicas.length ?? 0) === 1, 60_000, 'back to 1 replica');

    const [get, post, inner] = await Promise.all([outsideGet.done, outsidePost.done, inside.done]);
    console.log(`[compose scale 1->3->1] ${loadLine('outside GET', get)}; ${loadLine('outside POST 64 KiB', post)}`);
    expectEveryRequestAnswered(get, 40 * durationS, 'outside GET');
    expectEveryRequestAnswered(post, 10 * durationS, 'outside POST');
    expect(get.hosts.size).toBe(3);
    inNetworkOk(inner, 20 * durationS, 'compose scale 1->3->1: inside the project, by name');
    // Inside callers went through HAProxy too: they met all three replicas, not one container behind a DNS name.
    expect(inner.hosts).toBe(3);

    // The file edited to the next image: applying it again rolls the replicas out, under load from both sides.
    const edited = { ...input, yaml: composeFile(IMAGE_V2, frontendPort) };
    const replanned = await app.plane.planCompose(edited);
    if ('error' in replanned) throw new Error(replanned.error);
    expect(byName(replanned.result, 'api').change).toBe('update');
    await app.plane.scale({ replicas: 2 }, name);
    await waitFor(() => ready() === 2, 60_000, '2 ready replicas before the rollout');
    const rolloutS = 30;
    const rolloutGet = runLoad({ url: `http://127.0.0.1:${frontendPort}/`, rate: 40, durationS: rolloutS });
    const rolloutInside = await runInNetworkLoad({ docker, image: IMAGE_V1, network, url: 'http://api:8000/', rate: 20, durationS: rolloutS, name: `${project}-caller-2` });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const reapplied = await app.plane.applyCompose(edited);
    if ('error' in reapplied) throw new Error(reapplied.error);
    await waitFor(() => {
      const replicas = service()?.replicas ?? [];
      return replicas.length === 2 && replicas.every((r) => r.state === 'ready' && r.generation.startsWith('compose-it-v2'));
    }, 120_000, 'both replicas on the edited file\'s image');
    const [rolledGet, rolledInside] = await Promise.all([rolloutGet.done, rolloutInside.done]);
    console.log(`[compose rollout] ${loadLine('outside GET', rolledGet)}`);
    expectEveryRequestAnswered(rolledGet, 40 * rolloutS, 'outside GET during the rollout');
    inNetworkOk(rolledInside, 20 * rolloutS, 'compose rollout: inside the project, by name');

    // Removing the project drains and removes what ScaleDeck started; Compose's service runs on, untouched.
    const dbBefore = await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`, 'com.docker.compose.service=db'] } });
    expect(await app.plane.removeCompose({ project })).toEqual({ result: { removed: [name] } });
    expect(app.plane.snapshot().services.map((s) => s.name)).toEqual(['web']);
    const relays = await docker.listContainers({ all: true, filters: { label: [`scaledeck.app=${app.app}`, 'scaledeck.relay-for'] } });
    expect(relays).toEqual([]);
    // Compose made the project's network and its db is attached: it stays.
    expect((await docker.listNetworks({ filters: { name: [network] } })).map((n) => n.Name)).toEqual([network]);
    const dbAfter = await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`, 'com.docker.compose.service=db'] } });
    expect(dbAfter.map((c) => [c.Id, c.State])).toEqual(dbBefore.map((c) => [c.Id, 'running']));
    expect(await app.plane.getComposeProjects()).toEqual({ result: [] });
  }, 420_000);

  it('refuses a file it cannot honour with the file, service and key named, and starts nothing', async () => {
    fixture ??= await startPlane({ driver: 'docker' }, { desired: 1 });
    const app = fixture;
    const before = app.plane.snapshot().services.map((s) => s.name);
    const cases: Array<[string, string, RegExp]> = [
      ['invalid YAML', 'services: [unclosed', /compose\.yaml/],
      ['an unknown service in depends_on', 'services:\n  api:\n    image: scaledeck/api:latest\n    ports: ["8000"]\n    depends_on: [nothere]\n', /depends_on/],
      ['a port out of range', 'services:\n  api:\n    image: scaledeck/api:latest\n    ports: ["70000:8000"]\n', /ports/],
      ['an image not in the engine', 'services:\n  api:\n    image: scaledeck/not-built:nope\n    ports: ["127.0.0.1:18099:8000"]\n', /image: scaledeck\/not-built:nope is not in the Docker engine/],
      ['a bad x-scaledeck setting', 'services:\n  api:\n    image: scaledeck/api:latest\n    ports: ["8000"]\n    x-scaledeck: { maxReplicas: -3 }\n', /x-scaledeck\.maxReplicas/],
    ];
    for (const [what, yaml, message] of cases) {
      const answer = await app.plane.applyCompose({ yaml, projectDir: dir, projectName: `${project}bad` });
      expect('error' in answer ? answer.error : `accepted ${JSON.stringify(answer)}`, what).toMatch(message);
    }
    expect(app.plane.snapshot().services.map((s) => s.name)).toEqual(before);
    const projects = await app.plane.getComposeProjects();
    expect('result' in projects && projects.result.map((p) => p.project)).not.toContain(`${project}bad`);
  }, 120_000);

  it('builds the image of a service that has only build:, as Compose would tag it, and serves it', async () => {
    fixture ??= await startPlane({ driver: 'docker' }, { desired: 1 });
    const app = fixture;
    const buildProject = `${project}b`;
    const context = path.join(dir, 'site');
    mkdirSync(context, { recursive: true });
    // FROM an image the engine has: nothing is pulled.
    writeFileSync(path.join(context, 'Dockerfile'), 'FROM scaledeck/api:latest\nARG FLAVOUR\nENV FLAVOUR=$FLAVOUR\n');
    writeFileSync(path.join(context, '.dockerignore'), 'secrets/\n');
    const port = await freePort();
    const yaml = `services:\n  site:\n    build:\n      context: ./site\n      args: { FLAVOUR: built }\n    ports: ["127.0.0.1:${port}:8000"]\n    x-scaledeck: { healthPath: /healthz, mode: manual }\n`;
    const tag = `${buildProject}-site:latest`;
    try {
      const applied = await app.plane.applyCompose({ yaml, projectDir: dir, projectName: buildProject });
      if ('error' in applied) throw new Error(applied.error);
      expect(applied.result.services[0]).toMatchObject({ name: 'site', scale: true, image: tag });
      const name = `${buildProject}.site`;
      await waitFor(() => app.plane.snapshot().services.find((s) => s.name === name)?.replicas.some((r) => r.state === 'ready') ?? false, 60_000, 'the built service ready');
      const replica = app.plane.snapshot().services.find((s) => s.name === name)!.replicas[0]!;
      expect((await docker.getContainer(replica.id).inspect()).Config.Env).toContain('FLAVOUR=built');
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
      expect(await app.plane.removeCompose({ project: buildProject })).toEqual({ result: { removed: [name] } });
      // The project network was ScaleDeck's own (no Compose container ever joined it): it goes with the project.
      expect(await docker.listNetworks({ filters: { name: [`${buildProject}_default`] } })).toEqual([]);
    } finally {
      await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
    }
  }, 180_000);
});
