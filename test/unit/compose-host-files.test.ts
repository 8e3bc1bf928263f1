// A Compose file sent from elsewhere (hostFiles: false) may name no file of this machine: each kind of host path is
// refused with its key named, and the same file plans when it was opened on this machine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planCompose } from '../../electron/core/compose/compose-plan.js';
import { ComposeFileError } from '../../electron/core/compose/compose-plan-types.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sd-host-files-'));
writeFileSync(path.join(dir, 'app.env'), 'A=1\n');
writeFileSync(path.join(dir, 'token.txt'), 'secret\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const service = (extra: string) => `services:\n  api:\n    image: scaledeck/api:latest\n    ports: ["8000"]\n${extra}`;

describe('host files in a Compose file', () => {
  const cases: Array<[string, string, string]> = [
    ['a read-only bind mount', service('    volumes: ["/etc:/host-etc:ro"]\n'), 'volumes'],
    ['an env_file', service(`    env_file: ${path.join(dir, 'app.env')}\n`), 'env_file'],
    ['a secret from a file', `${service('    secrets: [token]\n')}secrets:\n  token:\n    file: ${path.join(dir, 'token.txt')}\n`, 'secrets'],
    ['a build context', 'services:\n  api:\n    build: /\n    ports: ["8000"]\n', 'build.context'],
  ];
  for (const [what, yaml, key] of cases) {
    it(`refuses ${what} in a file sent from elsewhere, naming ${key}`, () => {
      let caught: unknown;
      try {
        planCompose({ yaml, hostFiles: false, projectName: 'shop' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ComposeFileError);
      expect((caught as ComposeFileError).key.startsWith(key)).toBe(true);
      expect((caught as Error).message).toMatch(/only a Compose file opened on that machine/);
    });
  }

  it('plans the same mounts and files when the file was opened on this machine', () => {
    const plan = planCompose({ yaml: cases[2]![1], projectDir: dir });
    expect(plan.services[0]!.runtime!.mounts).toEqual([{ source: path.join(dir, 'token.txt'), target: '/run/secrets/token' }]);
  });
});
