// Specification of planning real applications' Compose files (test/fixtures/compose/real, see SOURCES.md): each yields a
// plan, its stores are left to Compose for what they are, and its stateless HTTP services are scaled.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planCompose } from '../../electron/core/compose/compose-plan.js';
import type { ComposePlan } from '../../electron/core/compose/compose-plan-types.js';

const REAL = path.join(import.meta.dirname, '../fixtures/compose/real');

interface RealFile {
  file: string;
  /** Build contexts the file names, created empty in the project folder (the applications' sources are not copied). */
  dirs?: string[];
  /** Files it reads (secrets, env files): a fixture's name to copy, or '' for an empty file. */
  files?: Record<string, string>;
  env?: Record<string, string>;
  /** Where the file sits in its project folder, when not at the top. */
  subdir?: string;
  scaled: string[];
  /** Services left to Compose because of what their image is. */
  stores: string[];
}

const secret = { 'db/password.txt': '' };
const REAL_FILES: RealFile[] = [
  { file: 'aspnet-mssql.yaml', dirs: ['app/aspnetapp'], scaled: ['web'], stores: ['db'] },
  { file: 'django.yaml', dirs: ['app'], scaled: ['web'], stores: [] },
  { file: 'fastapi.yaml', scaled: ['api'], stores: [] },
  { file: 'flask-redis.yaml', scaled: [], stores: ['redis'] },
  { file: 'gitea-postgres.yaml', scaled: [], stores: ['db'] },
  { file: 'healthchecks.yaml', subdir: 'docker', dirs: ['docker'], files: { 'docker/.env': 'healthchecks.env.example' }, scaled: ['web'], stores: ['db'] },
  { file: 'nextcloud-redis-mariadb.yaml', scaled: [], stores: ['redis', 'db'] },
  { file: 'nginx-aspnet-mysql.yaml', dirs: ['backend', 'proxy'], files: secret, scaled: ['proxy'], stores: ['db'] },
  { file: 'nginx-flask-mongo.yaml', dirs: ['flask'], scaled: [], stores: ['mongo'] },
  { file: 'nginx-flask-mysql.yaml', dirs: ['backend', 'proxy'], files: secret, scaled: ['backend', 'proxy'], stores: ['db'] },
  { file: 'nginx-golang-mysql.yaml', dirs: ['backend'], files: secret, scaled: ['proxy'], stores: ['db'] },
  { file: 'nginx-golang-postgres.yaml', dirs: ['backend'], files: secret, scaled: ['proxy'], stores: ['db'] },
  { file: 'nginx-nodejs-redis.yaml', dirs: ['web', 'nginx'], scaled: ['web1', 'web2', 'nginx'], stores: ['redis'] },
  {
    file: 'postgresql-pgadmin.yaml',
    env: { POSTGRES_USER: 'u', POSTGRES_PW: 'p', POSTGRES_DB: 'd', PGADMIN_MAIL: 'a@example.com', PGADMIN_PW: 'p' },
    scaled: ['pgadmin'],
    stores: ['postgres'],
  },
  { file: 'prometheus-grafana.yaml', scaled: [], stores: ['prometheus'] },
  { file: 'react-express-mongodb.yaml', dirs: ['frontend', 'backend'], scaled: [], stores: ['mongo'] },
  { file: 'react-express-mysql.yaml', dirs: ['frontend', 'backend'], files: secret, scaled: [], stores: ['db'] },
  { file: 'react-rust-postgres.yaml', dirs: ['frontend', 'backend'], scaled: ['frontend'], stores: ['db'] },
  { file: 'redash.yaml', files: { '.env': '' }, scaled: [], stores: ['redis', 'postgres', 'email'] },
  {
    file: 'saleor-platform.yaml',
    files: { 'common.env': 'saleor-platform.common.env', 'backend.env': 'saleor-platform.backend.env' },
    scaled: ['dashboard'],
    stores: ['db', 'cache', 'jaeger', 'mailpit'],
  },
  { file: 'spring-postgres.yaml', dirs: ['backend'], files: secret, scaled: ['backend'], stores: ['db'] },
  { file: 'traefik-golang.yaml', dirs: ['backend'], scaled: [], stores: [] },
  { file: 'umami.yaml', scaled: ['umami'], stores: ['db'] },
  { file: 'wasmedge-kafka-mysql.yaml', dirs: ['etl'], scaled: [], stores: ['redpanda', 'db'] },
  { file: 'wordpress-mysql.yaml', scaled: ['wordpress'], stores: ['db'] },
];

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-real-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A project folder holding what the file reads, so the plan is made as it would be in the application's checkout. */
function planReal(real: RealFile): ComposePlan {
  const root = path.join(scratch, path.basename(real.file, '.yaml'));
  for (const dir of real.dirs ?? []) fs.mkdirSync(path.join(root, dir), { recursive: true });
  for (const [target, fixture] of Object.entries(real.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(root, target)), { recursive: true });
    fs.writeFileSync(path.join(root, target), fixture === '' ? '' : fs.readFileSync(path.join(REAL, fixture)));
  }
  const projectDir = path.join(root, real.subdir ?? '');
  fs.mkdirSync(projectDir, { recursive: true });
  return planCompose({ yaml: fs.readFileSync(path.join(REAL, real.file), 'utf8'), fileName: real.file, projectDir, env: real.env });
}

describe('plans of real applications\' Compose files', () => {
  it('covers at least 20 files, each listed in SOURCES.md', () => {
    const sources = fs.readFileSync(path.join(REAL, 'SOURCES.md'), 'utf8');
    const files = fs.readdirSync(REAL).filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files.sort()).toEqual(REAL_FILES.map((r) => r.file).sort());
    for (const file of files) expect(sources).toContain(`| ${file} |`);
  });

  it.each(REAL_FILES)('$file: scales exactly $scaled', (real) => {
    const plan = planReal(real);
    expect(plan.services.filter((s) => s.scale).map((s) => s.name).sort()).toEqual([...real.scaled].sort());
    for (const service of plan.services) {
      if (service.scale) {
        expect(service.reasons).toEqual([]);
        expect(service.runtime).toBeDefined();
        expect(service.containerPort).toBeGreaterThan(0);
        expect(service.settings.containerPort).toBe(service.containerPort);
      } else {
        expect(service.reasons.length, `${service.name} is left to Compose with a reason`).toBeGreaterThan(0);
        expect(service.runtime).toBeUndefined();
      }
    }
    for (const store of real.stores) {
      expect(plan.services.find((s) => s.name === store)?.reasons[0]).toMatch(/known stateful image/);
    }
    const left = plan.services.filter((s) => !s.scale).map((s) => s.name);
    expect(plan.composeUp).toBe(left.length === 0 ? null : `docker compose -f ${real.file} -p ${plan.project} up -d ${left.join(' ')}`);
  });
});

describe('what real plans carry', () => {
  const byName = (plan: ComposePlan, name: string) => plan.services.find((s) => s.name === name);

  it('takes the health path from a curl health check and keeps the published port as the frontend', () => {
    const umami = byName(planReal(REAL_FILES.find((r) => r.file === 'umami.yaml') as RealFile), 'umami');
    expect(umami?.settings).toMatchObject({ healthPath: '/api/heartbeat', containerPort: 3000, frontendPort: 3000, image: 'ghcr.io/umami-software/umami:latest' });
    expect(umami?.frontend).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(umami?.dependsOn).toEqual(['db']);
  });

  it('mounts a file secret read-only at /run/secrets and joins the project\'s named networks', () => {
    const plan = planReal(REAL_FILES.find((r) => r.file === 'nginx-flask-mysql.yaml') as RealFile);
    const backend = byName(plan, 'backend');
    expect(backend?.runtime?.mounts).toEqual([{ source: expect.stringMatching(/nginx-flask-mysql\/db\/password\.txt$/), target: '/run/secrets/db-password' }]);
    expect(backend?.runtime?.networks.map((n) => n.name)).toEqual([`${plan.project}_backnet`, `${plan.project}_frontnet`]);
    expect(plan.networks.map((n) => n.key)).toEqual(['backnet', 'frontnet']);
  });

  it('reads an env_file into a replica\'s environment and resolves a build context above the file\'s folder', () => {
    const plan = planReal(REAL_FILES.find((r) => r.file === 'healthchecks.yaml') as RealFile);
    const web = byName(plan, 'web');
    expect(web?.runtime?.environment).toMatchObject({ DB: 'postgres', DB_HOST: 'db' });
    expect(web?.build).toMatchObject({ context: path.join(scratch, 'healthchecks'), dockerfile: 'docker/Dockerfile' });
  });

  it('drops a container_name from a scaled service, saying so', () => {
    const api = byName(planReal(REAL_FILES.find((r) => r.file === 'fastapi.yaml') as RealFile), 'api');
    expect(api?.warnings.join('\n')).toMatch(/container_name "fastapi-application" is dropped/);
  });
});
