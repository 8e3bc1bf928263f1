// When the api image must be built again: absent, unlabelled, or built from other files than today's.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashInputs, readApiImageInputs, rebuildReason } from '../../../electron/core/image/image-inputs.js';

const work = mkdtempSync(join(tmpdir(), 'scaledeck-inputs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const file = (path: string, text: string) => ({ path, content: Buffer.from(text) });

describe('the api image inputs hash', () => {
  it('changes with any byte of any file, and with a byte moved from one file to the next', () => {
    const base = hashInputs([file('Dockerfile', 'FROM x'), file('server.js', 'a')]);
    expect(hashInputs([file('Dockerfile', 'FROM x'), file('server.js', 'a')])).toBe(base);
    expect(hashInputs([file('Dockerfile', 'FROM x'), file('server.js', 'b')])).not.toBe(base);
    expect(hashInputs([file('Dockerfile', 'FROM '), file('server.js', 'xa')])).not.toBe(base);
    expect(hashInputs([file('Dockerfile', 'FROM x'), file('server.mjs', 'a')])).not.toBe(base);
  });

  it('is read from the Dockerfile, the package.json beside it and server.js, and follows an edit of server.js', async () => {
    writeFileSync(join(work, 'Dockerfile'), 'FROM node\n');
    writeFileSync(join(work, 'package.json'), '{"type":"module"}\n');
    writeFileSync(join(work, 'server.js'), 'console.log(1)\n');
    const sources = { dockerfile: join(work, 'Dockerfile'), serverJs: join(work, 'server.js') };
    const before = await readApiImageInputs(sources);
    expect(before.files.map((f) => f.path)).toEqual(['Dockerfile', 'package.json', 'server.js']);
    writeFileSync(join(work, 'server.js'), 'console.log(2)\n');
    expect((await readApiImageInputs(sources)).hash).not.toBe(before.hash);
  });

  it('says which file is missing, and how to make server.js', async () => {
    await expect(readApiImageInputs({ dockerfile: join(work, 'Dockerfile'), serverJs: join(work, 'nothing.js') }))
      .rejects.toThrow(/cannot read server\.js at .*nothing\.js.*npm run build:node/);
  });
});

describe('rebuildReason', () => {
  const today = 'a'.repeat(64);

  it('keeps an image built from today\'s inputs', () => {
    expect(rebuildReason({ present: true, inputs: today }, today)).toBeNull();
  });

  it('builds an image that is not there', () => {
    expect(rebuildReason({ present: false }, today)).toBe('not built yet');
  });

  it('rebuilds an image with no record of its inputs, as every image built before the label was', () => {
    expect(rebuildReason({ present: true, inputs: null }, today)).toBe('built without a record of its inputs');
  });

  it('rebuilds an image built from other inputs, naming both hashes', () => {
    expect(rebuildReason({ present: true, inputs: 'b'.repeat(64) }, today)).toBe('built from other inputs (bbbbbbbbbbbb, now aaaaaaaaaaaa)');
  });
});
