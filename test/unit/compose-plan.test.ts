// Specification of the plan: which services ScaleDeck scales and why the others are left to Compose, the settings and
// runtime a scaled service's replicas get, the project's networks and the command that starts the rest.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planCompose } from '../../electron/core/compose/compose-plan.js';
import type { ComposeSource, PlannedService } from '../../electron/core/compose/compose-plan-types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-plan-'));
fs.mkdirSync(path.join(dir, 'app'));
fs.writeFileSync(path.join(dir, 'token.txt'), 'secret');
fs.writeFileSync(path.join(dir, 'site.conf'), 'conf');
fs.writeFileSync(path.join(dir, 'web.env'), 'FROM_FILE=1\nOVERRIDDEN=file\nREF=${TAG}\n');
fs.writeFileSync(path.join(dir, '.env'), 'TAG=from-dotenv\nPORT=9000\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const plan = (yaml: string, source: Partial<ComposeSource> = {}) => planCompose({ yaml, projectDir: dir, projectName: 'shop', ...source });
const only = (yaml: string, source?: Partial<ComposeSource>): PlannedService => plan(yaml, source).services[0] as PlannedService;
const svc = (lines: string) => `services:\n  web:\n${lines.replace(/^/gm, '    ')}\n`;

describe('what is scaled and what is left to Compose', () => {
  it('scales a stateless service that serves on a port', () => {
    const web = only(svc('image: example/web:1.2\nports: ["8080:80"]'));
    expect(web).toMatchObject({ scale: true, reasons: [], containerPort: 80, frontend: { host: '127.0.0.1', port: 8080 } });
  });

  it.each([
    ['a named volume', 'volumes: ["data:/data"]', /named volume "data"/],
    ['a writable bind mount', 'volumes: ["./app:/app"]', /host path \.\/app/],
    ['host networking', 'network_mode: host', /network_mode: host/],
    ['another service\'s network', 'network_mode: "service:db"', /network_mode: service:db/],
    ['no network', 'network_mode: none', /nothing can reach it/],
    ['another service\'s volumes', 'volumes_from: ["db:ro"]', /mounts the volumes of db \(volumes_from\)/],
  ])('leaves a service with %s to Compose, saying why', (_, lines, reason) => {
    const web = plan(`${svc(`image: example/web\nports: ["8080:80"]\n${lines}`)}  db:\n    image: example/db\n    expose: [5432]\nvolumes:\n  data: {}\n`).services[0];
    expect(web?.scale).toBe(false);
    expect(web?.reasons.join('\n')).toMatch(reason);
    expect(web?.runtime).toBeUndefined();
  });

  it('gives a service left to Compose no frontend: its published port stays Compose\'s', () => {
    const db = only(svc('image: postgres:16\nports: ["5432:5432"]'));
    expect(db).toMatchObject({ scale: false, containerPort: 5432, frontend: undefined });
    expect(db.settings).toEqual({ image: 'postgres:16', containerPort: 5432 });
  });

  it('leaves a worker (no port at all) to Compose', () => {
    expect(only(svc('image: example/worker\ncommand: celery worker')).reasons).toEqual([
      "has no port (no ports: and no expose:), so it looks like a worker: scaling workers on a queue's length is not done",
    ]);
  });

  it.each(['postgres:16', 'bitnami/postgresql:16', 'docker.io/library/mysql:8', 'ghcr.io/valkey-io/valkey', 'mongo@sha256:' + 'a'.repeat(64), 'localhost:5000/redis', 'confluentinc/cp-kafka', 'docker.elastic.co/elasticsearch/elasticsearch:8.1.0'])(
    'leaves the known stateful image %s to Compose', (image) => {
      const db = only(svc(`image: ${image}\nports: ["5432:5432"]`));
      expect(db.scale).toBe(false);
      expect(db.reasons[0]).toMatch(/known stateful image/);
    });

  it.each(['nginx', 'example/postgres-exporter', 'mongo-express', 'redis-commander/redis-commander'])('scales %s, which only sounds like a store', (image) => {
    expect(only(svc(`image: ${image}\nports: ["8080:80"]`)).scale).toBe(true);
  });

  it('scales a read-only bind, an anonymous volume and a tmpfs, carrying the bind and the tmpfs', () => {
    const web = only(svc('image: example/web\nports: ["8080:80"]\nvolumes:\n  - ./site.conf:/etc/site.conf:ro\n  - /cache\n  - type: tmpfs\n    target: /tmp'));
    expect(web.scale).toBe(true);
    expect(web.runtime?.mounts).toEqual([{ source: path.join(dir, 'site.conf'), target: '/etc/site.conf' }]);
    expect(web.runtime?.tmpfs).toEqual(['/tmp']);
    expect(web.warnings.join('\n')).toMatch(/anonymous volume at \/cache is not carried/);
  });

  it('x-scaledeck.scale: true scales a stateful image or a volume; false leaves anything to Compose', () => {
    const forced = only(svc('image: redis:7\nports: ["6379:6379"]\nvolumes: ["data:/data"]\nx-scaledeck:\n  scale: true') + 'volumes:\n  data: {}\n');
    expect(forced).toMatchObject({ scale: true, reasons: [] });
    expect(forced.warnings.join('\n')).toMatch(/scaled because x-scaledeck.scale is true, although it runs redis/);
    expect(forced.warnings.join('\n')).toMatch(/named volume "data" at \/data is not mounted/);
    const kept = only(svc('image: example/web\nports: ["8080:80"]\nx-scaledeck:\n  scale: false'));
    expect(kept).toMatchObject({ scale: false, reasons: ['x-scaledeck.scale is false'] });
  });

  it('never fails on a bad value of a key that decides nothing about scaling: it is dropped with a warning', () => {
    const web = only(svc('image: example/web\nports: ["8080:80"]\nlabels: 5\nulimits: {nofile: lots}\nshm_size: huge\nstop_grace_period: [1]\nrestart: {bad: shape}\nlogging: 7'));
    expect(web.scale).toBe(true);
    expect(web.runtime).toMatchObject({ labels: {}, ulimits: undefined, shmSizeBytes: undefined, stopGracePeriodS: undefined });
    expect(web.warnings).toEqual(expect.arrayContaining([
      'labels: must be a mapping, not number 5; ignored',
      'ulimits.nofile: must be a whole number, not "lots"; ignored',
      'shm_size: must be a size such as 512m or 1g, not "huge"; ignored',
      'stop_grace_period: must be a duration such as 10s or 1m30s, not a list; ignored',
    ]));
  });

  it('drops a container_name from a scaled service, and warns about keys replicas do not get', () => {
    const web = only(svc('image: example/web\nports: ["8080:80"]\ncontainer_name: web1\nhostname: web1\nprivileged: true\nrestart: always\nlogging: {driver: json-file}\ndeploy:\n  placement: {constraints: []}\nfrobnicate: 1\nx-other: 2'));
    expect(web.scale).toBe(true);
    expect(web.warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/container_name "web1" is dropped/),
      'hostname is not carried to ScaleDeck\'s replicas; ignored',
      'privileged is not carried to ScaleDeck\'s replicas; ignored',
      'logging is not carried to ScaleDeck\'s replicas; ignored',
      'deploy.placement is not carried to ScaleDeck\'s replicas; ignored',
      'frobnicate is not a Compose service key ScaleDeck knows; ignored',
    ]));
    expect(web.warnings.join('\n')).not.toMatch(/restart|x-other/);
  });
});

describe('ports', () => {
  it('serves on the first TCP published port, and keeps its host side as the frontend', () => {
    const web = only(svc('image: example/web\nports:\n  - "53:53/udp"\n  - "127.0.0.2:8081:81"\n  - "8082:82"'));
    expect(web).toMatchObject({ containerPort: 81, frontend: { host: '127.0.0.2', port: 8081 } });
    expect(web.settings).toMatchObject({ containerPort: 81, frontendHost: '127.0.0.2', frontendPort: 8081 });
  });

  it('warns that the other published ports are not published by replicas', () => {
    const web = only(svc('image: example/web\nports: ["5001:5000", "5678:5678", "53:53/udp"]'));
    expect(web.warnings).toContain('only port 5000 is served through HAProxy; 5678:5678/tcp, 53:53/udp are not published by replicas');
  });

  it('falls back to expose:, with no frontend', () => {
    const web = only(svc('image: example/web\nexpose: ["3000"]'));
    expect(web).toMatchObject({ scale: true, containerPort: 3000, frontend: undefined });
  });

  it('takes x-scaledeck.containerPort over the ports, and its published port as the frontend', () => {
    const web = only(svc('image: example/web\nports: ["9000:9000", "8080:80"]\nx-scaledeck:\n  containerPort: 80'));
    expect(web).toMatchObject({ containerPort: 80, frontend: { host: '127.0.0.1', port: 8080 } });
  });

  it('takes x-scaledeck.frontendHost and frontendPort over the published port', () => {
    const web = only(svc('image: example/web\nports: ["8080:80"]\nx-scaledeck:\n  frontendHost: 0.0.0.0\n  frontendPort: ${FRONT:-9090}'));
    expect(web.frontend).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(web.settings).toMatchObject({ frontendHost: '0.0.0.0', frontendPort: 9090 });
    expect(web.warnings.join('\n')).not.toMatch(/every address/);
  });

  it('warns that an ephemeral published port leaves the frontend port to ScaleDeck', () => {
    const web = only(svc('image: example/web\nports: ["80"]'));
    expect(web).toMatchObject({ scale: true, containerPort: 80, frontend: undefined });
    expect(web.warnings.join('\n')).toMatch(/no fixed host port/);
  });

  it('reads ports from the project .env and the caller\'s variables, the caller\'s first', () => {
    expect(only(svc('image: example/web\nports: ["${PORT}:80"]')).frontend?.port).toBe(9000);
    expect(only(svc('image: example/web\nports: ["${PORT}:80"]'), { env: { PORT: '7000' } }).frontend?.port).toBe(7000);
  });
});

describe('settings', () => {
  it('derives the health path, CPU and memory limits and the image', () => {
    const web = only(svc('image: example/web:2\nports: ["8080:8000"]\nhealthcheck:\n  test: ["CMD", "curl", "-f", "http://localhost:8000/healthz"]\ndeploy:\n  replicas: 3\n  resources:\n    limits: {cpus: "0.50", memory: 512M}'));
    expect(web.settings).toEqual({ image: 'example/web:2', containerPort: 8000, frontendHost: '127.0.0.1', frontendPort: 8080, healthPath: '/healthz', cpuLimit: 0.5, memoryLimitMb: 512 });
    expect(web.replicas).toBe(3);
  });

  it.each([
    ['curl -f http://localhost/ || exit 1', '/'],
    ['wget -qO- http://127.0.0.1:3000/api/health?full=1', '/api/health?full=1'],
    ['["CMD-SHELL", "curl --fail http://localhost:80/status || exit 1"]', '/status'],
    ['["CMD", "/usr/bin/wget", "--spider", "http://0.0.0.0:8080/ping"]', '/ping'],
  ])('reads the health path of %s', (test, path) => {
    expect(only(svc(`image: example/web\nports: ["8080:80"]\nhealthcheck:\n  test: ${test.startsWith('[') ? test : JSON.stringify(test)}`)).settings.healthPath).toBe(path);
  });

  it.each(['pg_isready', 'curl -f http://example.com/health', 'nc -z localhost 80'])('finds no health path in %s', (test) => {
    expect(only(svc(`image: example/web\nports: ["8080:80"]\nhealthcheck:\n  test: ${JSON.stringify(test)}`)).settings.healthPath).toBeUndefined();
  });

  it('lets x-scaledeck set any per-service setting, over what the file implies', () => {
    const web = only(svc('image: example/web\nports: ["8080:80"]\ndeploy:\n  resources:\n    limits: {cpus: 2}\nx-scaledeck:\n  scale: "${SCALE:-true}"\n  cpuLimit: 1\n  maxReplicas: ${MAX:-8}\n  metric: rps-per-replica\n  scaleUpThreshold: 200\n  scaleDownThreshold: 50\n  healthPath: /ready'));
    expect(web.settings).toMatchObject({ cpuLimit: 1, maxReplicas: 8, metric: 'rps-per-replica', healthPath: '/ready' });
  });

  it('warns about an implied value ScaleDeck cannot use, and keeps its default', () => {
    const web = only(svc('image: example/web\nports: ["8080:80"]\ndeploy:\n  resources:\n    limits: {memory: 8m}'));
    expect(web.settings.memoryLimitMb).toBeUndefined();
    expect(web.warnings.join('\n')).toMatch(/memoryLimitMb 8, which ScaleDeck cannot use \(must be at least 16 MB\)/);
  });
});

describe('a scaled service\'s runtime', () => {
  it('carries its environment: env_file, then environment, with bare keys from the variables', () => {
    const web = only(svc('image: example/web\nports: ["8080:80"]\nenv_file: [web.env, {path: missing.env, required: false}]\nenvironment:\n  OVERRIDDEN: yaml\n  TAG:\n  NOT_SET:\n  FROM_FILE_TOO: $${LITERAL}'));
    expect(web.runtime?.environment).toEqual({ FROM_FILE: '1', OVERRIDDEN: 'yaml', REF: 'from-dotenv', TAG: 'from-dotenv', FROM_FILE_TOO: '${LITERAL}' });
  });

  it('splits a string command, mounts secrets and configs read-only where Compose puts them', () => {
    const web = only(`${svc('image: example/web\nports: ["8080:80"]\ncommand: sh -c "serve --port 80"\nentrypoint: [tini, --]\nsecrets: [token, {source: token, target: /etc/token}]\nconfigs: [site, {source: site, target: conf/site.conf}]')}secrets:\n  token: {file: ./token.txt}\nconfigs:\n  site: {file: ./site.conf}\n`);
    expect(web.runtime).toMatchObject({ command: ['sh', '-c', 'serve --port 80'], entrypoint: ['tini', '--'] });
    expect(web.runtime?.mounts).toEqual([
      { source: path.join(dir, 'token.txt'), target: '/run/secrets/token' },
      { source: path.join(dir, 'token.txt'), target: '/etc/token' },
      { source: path.join(dir, 'site.conf'), target: '/site' },
      { source: path.join(dir, 'site.conf'), target: '/conf/site.conf' },
    ]);
  });

  it('warns that secrets from the environment or external ones are not carried', () => {
    const web = only(`${svc('image: example/web\nports: ["8080:80"]\nsecrets: [a, b]')}secrets:\n  a: {environment: A}\n  b: {external: true}\n`);
    expect(web.warnings.join('\n')).toMatch(/secret "a" comes from an environment variable/);
    expect(web.warnings.join('\n')).toMatch(/secret "b" is external/);
  });

  it('carries the keys that do not decide scaling', () => {
    const web = only(svc('image: example/web\nports: ["8080:80"]\nworking_dir: /srv\nuser: "1000:1000"\nlabels: [team=web]\nextra_hosts: {db.local: 10.0.0.5}\nshm_size: 1g\nulimits: {nofile: 1024}\ncap_add: [NET_ADMIN]\ncap_drop: [ALL]\nread_only: true\ntmpfs: /run\nstop_signal: SIGINT\nstop_grace_period: 1m'));
    expect(web.runtime).toMatchObject({
      workingDir: '/srv', user: '1000:1000', labels: { team: 'web' }, extraHosts: ['db.local:10.0.0.5'], shmSizeBytes: 1024 ** 3,
      ulimits: [{ name: 'nofile', soft: 1024, hard: 1024 }], capAdd: ['NET_ADMIN'], capDrop: ['ALL'], readOnlyRootfs: true, tmpfs: ['/run'], stopSignal: 'SIGINT', stopGracePeriodS: 60,
    });
  });
});

describe('the project\'s networks and the command for the rest', () => {
  const yaml = [
    'name: My Shop',
    'services:',
    '  web:',
    '    build: ./app',
    '    ports: ["8080:80"]',
    '    networks:',
    '      front: {aliases: [www]}',
    '      back:',
    '    depends_on: {db: {condition: service_healthy}}',
    '    profiles: [web]',
    '  db:',
    '    image: postgres:16',
    '    networks: [back]',
    '  cache:',
    '    image: redis:7',
    '  shared:',
    '    image: example/sidecar',
    '    network_mode: "service:cache"',
    'networks:',
    '  front: {name: shop-front}',
    '  back: {internal: true, driver: bridge}',
    '  outside: {external: true}',
  ].join('\n');

  it('names every network the services use as the engine does, keeping internal', () => {
    expect(plan(yaml).networks).toEqual([
      { key: 'front', name: 'shop-front', external: false, internal: false, driver: undefined },
      { key: 'back', name: 'myshop_back', external: false, internal: true, driver: 'bridge' },
      { key: 'default', name: 'myshop_default', external: false, internal: false, driver: undefined },
    ]);
  });

  it('joins a scaled service\'s networks with its own aliases, and builds from its context', () => {
    const web = plan(yaml).services[0];
    expect(web?.runtime?.networks).toEqual([{ name: 'shop-front', aliases: ['www'] }, { name: 'myshop_back', aliases: [] }]);
    expect(web).toMatchObject({ build: { context: path.join(dir, 'app'), args: {} }, dependsOn: ['db'], profiles: ['web'] });
  });

  it('gives the command that starts what is left to Compose, and null when nothing is', () => {
    expect(plan(yaml, { fileName: 'my shop/compose.yaml' }).composeUp).toBe("docker compose -f 'my shop/compose.yaml' -p myshop up -d db cache shared");
    expect(plan(svc('image: example/web\nports: ["8080:80"]')).composeUp).toBeNull();
  });

  it('warns about variables used unset, in the service they were used in', () => {
    const web = only(svc('image: example/web:${VERSION}\nports: ["8080:80"]'));
    expect(web.warnings).toContain('variable VERSION is not set, so image has an empty string in its place');
  });

  it('warns when more services would be scaled than ScaleDeck runs', () => {
    const many = `services:\n${Array.from({ length: 17 }, (_, i) => `  s${i}: {image: example/web, ports: ["${8000 + i}:80"]}\n`).join('')}`;
    expect(plan(many).warnings).toEqual(['17 services would be scaled, but ScaleDeck runs 16 at most: set x-scaledeck.scale: false on the others']);
  });

  it('reads anchors and merge keys', () => {
    const merged = plan('x-base: &base\n  image: example/web\n  environment: {A: "1"}\nservices:\n  web:\n    <<: *base\n    ports: ["8080:80"]\n  worker:\n    <<: *base\n').services;
    expect(merged.map((s) => [s.name, s.image, s.scale])).toEqual([['web', 'example/web', true], ['worker', 'example/web', false]]);
    expect(merged[0]?.runtime?.environment).toEqual({ A: '1' });
  });
});
