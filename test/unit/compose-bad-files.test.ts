// Specification of the Compose files ScaleDeck refuses: each is a ComposeFileError (a 400) naming the file, the service
// when there is one, and the key, with a problem a person can act on; none is a crash.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planCompose } from '../../electron/core/compose/compose-plan.js';
import { ComposeFileError, type ComposeSource } from '../../electron/core/compose/compose-plan-types.js';

const project = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-bad-'));
fs.writeFileSync(path.join(project, 'not-a-folder'), '');
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

const web = (lines: string) => `services:\n  web:\n    image: example/web\n${lines.replace(/^/gm, '    ')}\n`;
const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`), 'services: {}'].join('\n');

interface BadFile {
  what: string;
  yaml: string;
  service?: string;
  key: string;
  problem: RegExp;
  source?: Partial<ComposeSource>;
}

const BAD_FILES: BadFile[] = [
  { what: 'invalid YAML', yaml: 'services:\n  web: [\n', key: 'line 3', problem: /not valid YAML/ },
  { what: 'a list, not a mapping', yaml: '- web\n- db\n', key: '(file)', problem: /must be a mapping/ },
  { what: 'no services', yaml: 'name: shop\nnetworks: {}\n', key: 'services', problem: /is missing/ },
  { what: 'empty services', yaml: 'services: {}\n', key: 'services', problem: /is empty/ },
  { what: 'a 5 MB file', yaml: `services:\n  web:\n    image: example/web\n# ${'x'.repeat(5 * 1024 * 1024)}\n`, key: '(file)', problem: /may be 1 MiB \(1048576 bytes\) at most/ },
  { what: 'a billion-laughs alias bomb', yaml: bomb, key: '(file)', problem: /alias/i },
  { what: 'a duplicate key', yaml: 'services:\n  web:\n    image: a/b\n  web:\n    image: c/d\n', key: 'line 4', problem: /unique|duplicate/i },
  { what: 'include: (other files not followed)', yaml: 'include:\n  - other.yaml\nservices:\n  web:\n    image: a/b\n', key: 'include', problem: /docker compose config/ },
  { what: 'a bad service name', yaml: 'services:\n  "web app!":\n    image: a/b\n', service: 'web app!', key: '(name)', problem: /letters, digits/ },
  { what: 'neither image nor build', yaml: 'services:\n  web:\n    ports: ["8080:80"]\n', service: 'web', key: 'image', problem: /needs one of them/ },
  { what: 'depends_on an unknown service', yaml: web('depends_on: [db]'), service: 'web', key: 'depends_on.db', problem: /does not define/ },
  { what: 'depends_on an unknown service (long form)', yaml: web('depends_on:\n  cache:\n    condition: service_healthy'), service: 'web', key: 'depends_on.cache', problem: /does not define/ },
  { what: 'an unknown depends_on condition', yaml: `${web('depends_on:\n  db:\n    condition: ready')}  db:\n    image: postgres\n`, service: 'web', key: 'depends_on.db.condition', problem: /service_healthy/ },
  { what: 'a host port above 65535', yaml: web('ports: ["70000:80"]'), service: 'web', key: 'ports.0', problem: /out of range/ },
  { what: 'a container port of 0', yaml: web('ports: ["8080:0"]'), service: 'web', key: 'ports.0', problem: /out of range/ },
  { what: 'a long-syntax port without target', yaml: web('ports:\n  - published: 8080'), service: 'web', key: 'ports.0.target', problem: /is required/ },
  { what: 'ports that are not a list', yaml: web('ports: "8080:80"'), service: 'web', key: 'ports', problem: /must be a list/ },
  { what: 'a port that is not a port', yaml: web('ports: ["http"]'), service: 'web', key: 'ports.0', problem: /not a port/ },
  { what: 'environment that is a string', yaml: web('environment: "A=1"'), service: 'web', key: 'environment', problem: /must be a mapping/ },
  { what: 'a missing env_file', yaml: web('env_file: ./web.env'), service: 'web', key: 'env_file', problem: /does not exist/ },
  { what: 'a missing secret file', yaml: `${web('secrets: [token]')}secrets:\n  token:\n    file: ./token.txt\n`, key: 'secrets.token.file', problem: /does not exist/ },
  { what: 'a missing config file', yaml: `${web('configs: [site]')}configs:\n  site:\n    file: ./site.conf\n`, key: 'configs.site.file', problem: /does not exist/ },
  { what: 'a secret the file does not define', yaml: web('secrets: [token]'), service: 'web', key: 'secrets.0', problem: /does not define/ },
  { what: 'a build context that is a file', yaml: 'services:\n  web:\n    build: ./not-a-folder\n', service: 'web', key: 'build.context', problem: /not a folder/ },
  { what: 'a missing build context', yaml: 'services:\n  web:\n    build:\n      context: ./app\n', service: 'web', key: 'build.context', problem: /not a folder/ },
  {
    what: 'a relative build context with no project folder',
    yaml: 'services:\n  web:\n    build: ./app\n',
    service: 'web',
    key: 'build.context',
    problem: /no project folder/,
    source: { projectDir: undefined, projectName: 'shop' },
  },
  { what: 'a required variable unset (${VAR:?msg})', yaml: web('environment:\n  DB_URL: ${DB_URL:?set DB_URL to the database}'), service: 'web', key: 'environment.DB_URL', problem: /required variable DB_URL is not set: set DB_URL to the database/ },
  { what: 'a required variable unset (${VAR?msg})', yaml: 'services:\n  web:\n    image: example/web:${TAG?tag needed}\n', service: 'web', key: 'image', problem: /required variable TAG is not set: tag needed/ },
  { what: 'an unclosed ${', yaml: web('command: echo ${HOME'), service: 'web', key: 'command', problem: /without a closing/ },
  { what: 'an invalid variable name', yaml: web('user: ${1USER}'), service: 'web', key: 'user', problem: /invalid variable name/ },
  { what: 'an unsupported substitution', yaml: web('user: ${USER/a/b}'), service: 'web', key: 'user', problem: /invalid substitution/ },
  { what: 'a network the file does not define', yaml: web('networks: [backend]'), service: 'web', key: 'networks.backend', problem: /does not define/ },
  { what: 'a volume the file does not define', yaml: web('volumes: ["data:/var/lib/data"]'), service: 'web', key: 'volumes.0', problem: /does not define/ },
  { what: 'network_mode with networks', yaml: web('network_mode: host\nnetworks: [default]'), service: 'web', key: 'network_mode', problem: /together with networks/ },
  { what: 'a command with an unclosed quote', yaml: web('command: sh -c "echo hi'), service: 'web', key: 'command', problem: /unclosed " quote/ },
  { what: 'a healthcheck list without CMD', yaml: web('healthcheck:\n  test: [curl, -f, http://localhost/]'), service: 'web', key: 'healthcheck.test', problem: /CMD-SHELL/ },
  { what: 'a memory limit that is not a size', yaml: web('deploy:\n  resources:\n    limits:\n      memory: lots'), service: 'web', key: 'deploy.resources.limits.memory', problem: /512m/ },
  { what: 'a negative replica count', yaml: web('deploy:\n  replicas: -1'), service: 'web', key: 'deploy.replicas', problem: /from 0/ },
  { what: 'a global setting in x-scaledeck', yaml: web('ports: ["8080:80"]\nx-scaledeck:\n  driver: process'), service: 'web', key: 'x-scaledeck.driver', problem: /ScaleDeck as a whole/ },
  { what: 'a bad setting value in x-scaledeck', yaml: web('ports: ["8080:80"]\nx-scaledeck:\n  maxReplicas: 500'), service: 'web', key: 'x-scaledeck.maxReplicas', problem: /100 or less/ },
  { what: 'an unknown key in x-scaledeck', yaml: web('ports: ["8080:80"]\nx-scaledeck:\n  maxReplica: 5'), service: 'web', key: 'x-scaledeck.maxReplica', problem: /not a setting/ },
  { what: 'settings that contradict each other', yaml: web('ports: ["8080:80"]\nx-scaledeck:\n  minReplicas: 5\n  maxReplicas: 2'), service: 'web', key: 'x-scaledeck.minReplicas', problem: /must not exceed maxReplicas/ },
  { what: 'x-scaledeck.scale that is not a boolean', yaml: web('ports: ["8080:80"]\nx-scaledeck:\n  scale: "yes please"'), service: 'web', key: 'x-scaledeck.scale', problem: /true or false/ },
  { what: 'x-scaledeck.scale true on a service with no port', yaml: web('x-scaledeck:\n  scale: true'), service: 'web', key: 'x-scaledeck.scale', problem: /has no port/ },
  { what: 'x-scaledeck.scale true with host networking', yaml: web('network_mode: host\nx-scaledeck:\n  scale: true\n  containerPort: 80'), service: 'web', key: 'x-scaledeck.scale', problem: /network_mode: host/ },
  { what: 'extends: (other services not followed)', yaml: web('extends:\n  service: base'), service: 'web', key: 'extends', problem: /docker compose config/ },
  { what: 'no project name at all', yaml: 'services:\n  web:\n    image: a/b\n', key: 'name', problem: /is missing/, source: { projectDir: undefined, projectName: undefined } },
];

describe('Compose files ScaleDeck refuses', () => {
  it('has at least 20 of them', () => {
    expect(BAD_FILES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(BAD_FILES)('refuses $what, naming the key', ({ yaml, service, key, problem, source }) => {
    const file = 'shop/compose.yaml';
    let thrown: unknown;
    try {
      planCompose({ yaml, fileName: file, projectDir: project, projectName: 'shop', ...source });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ComposeFileError);
    const error = thrown as ComposeFileError;
    expect({ file: error.file, service: error.service, key: error.key }).toEqual({ file, service, key });
    expect(error.message).toMatch(problem);
    expect(error.message.startsWith(`${file}: ${service === undefined ? '' : `service "${service}": `}${key}: `)).toBe(true);
  });
});
