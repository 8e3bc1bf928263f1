// Specification of validation: what Compose itself refuses before starting anything, and what it lets through.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeProject } from '../../electron/core/compose/compose-normalize.js';
import { ComposeFileError } from '../../electron/core/compose/compose-plan-types.js';
import { validateProject } from '../../electron/core/compose/compose-validate.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-validate-'));
fs.mkdirSync(path.join(dir, 'app'));
fs.mkdirSync(path.join(dir, 'certs'));
fs.writeFileSync(path.join(dir, 'token.txt'), 'x');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `projectDir` null: planned with no project folder. */
const validate = (root: Record<string, unknown>, projectDir: string | null = dir) =>
  validateProject(normalizeProject(root, 'compose.yaml', { projectName: 'p' }), 'compose.yaml', projectDir ?? undefined);
const refusal = (root: Record<string, unknown>, projectDir: string | null = dir): ComposeFileError | undefined => {
  try {
    validate(root, projectDir);
  } catch (e) {
    if (e instanceof ComposeFileError) return e;
    throw e;
  }
  return undefined;
};

describe('validation', () => {
  it('lets through what Compose lets through', () => {
    expect(() => validate({
      services: {
        web: {
          build: { context: 'app' },
          env_file: [{ path: 'optional.env', required: false }],
          networks: ['default', 'back'],
          secrets: ['token', 'certs', 'external'],
          depends_on: { db: { condition: 'service_healthy' } },
          volumes: ['data:/data', './missing-bind:/x:ro', '/anonymous'],
        },
        remote: { build: 'https://github.com/example/app.git#main' },
        db: { image: 'postgres', network_mode: 'service:web' },
      },
      networks: { back: {} },
      volumes: { data: {} },
      secrets: { token: { file: './token.txt' }, certs: { file: './certs' }, external: { external: true }, unused: { file: './nowhere' } },
    })).not.toThrow();
  });

  it.each([
    ['a depends_on that names nothing', { services: { web: { image: 'a', depends_on: ['db'] } } }, 'depends_on.db'],
    ['network_mode: service: naming nothing', { services: { web: { image: 'a', network_mode: 'service:db' } } }, 'network_mode'],
    ['a network the file does not define', { services: { web: { image: 'a', networks: ['back'] } } }, 'networks.back'],
    ['a config the file does not define', { services: { web: { image: 'a', configs: ['site'] } } }, 'configs.0'],
    ['a required env_file that is missing', { services: { web: { image: 'a', env_file: 'web.env' } } }, 'env_file'],
    ['a build context that is missing', { services: { web: { build: './nope' } } }, 'build.context'],
  ])('refuses %s, naming the key', (_, root, key) => {
    expect(refusal(root)).toMatchObject({ key, service: 'web' });
  });

  it('refuses a secret file a service is granted when it is missing, naming the top-level key', () => {
    expect(refusal({ services: { web: { image: 'a', secrets: ['token'] } }, secrets: { token: { file: './gone.txt' } } })).toMatchObject({ key: 'secrets.token.file', service: undefined });
  });

  it('needs a project folder only for relative paths it must read', () => {
    expect(refusal({ services: { web: { image: 'a', env_file: 'web.env' } } }, null)?.problem).toMatch(/no project folder/);
    expect(refusal({ services: { web: { image: 'a', env_file: path.join(dir, 'token.txt') } } }, null)).toBeUndefined();
    expect(refusal({ services: { web: { image: 'a', ports: ['8080:80'] } } }, null)).toBeUndefined();
  });
});
