// The build context and base image archives read back with the system tar, names, modes and contents intact.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tarBuffer, tarStream } from '../../../electron/core/image/tar-archive.js';

const work = mkdtempSync(join(tmpdir(), 'scaledeck-tar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('tar archives', () => {
  it('round-trips directories, files and host files through the system tar', async () => {
    const source = join(work, 'source.bin');
    writeFileSync(source, Buffer.alloc(70_000, 7));
    const longDir = `/usr/${'deep/'.repeat(25)}lib`;
    const archive = await tarBuffer([
      { type: 'directory', path: '/usr' },
      { type: 'directory', path: longDir },
      { type: 'directory', path: '/tmp', mode: 0o1777 },
      { type: 'file', path: 'Dockerfile', content: 'FROM scratch\n' },
      { type: 'file', path: `${longDir}/empty`, content: '' },
      { type: 'host-file', path: '/usr/bin-node', source, mode: 0o755 },
    ]);
    expect(archive.length % 512).toBe(0);
    const out = join(work, 'out');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('tar', ['-xf', '-', '-C', out], { input: archive });
    expect(readFileSync(join(out, 'Dockerfile'), 'utf8')).toBe('FROM scratch\n');
    expect(readFileSync(join(out, 'usr/bin-node'))).toEqual(readFileSync(source));
    expect(statSync(join(out, 'usr/bin-node')).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, longDir, 'empty')).size).toBe(0);
    expect(statSync(join(out, 'tmp')).mode & 0o7777).toBe(0o1777);
  });

  it('streams the same bytes it would buffer', async () => {
    const entries = [{ type: 'file' as const, path: 'a.txt', content: 'hello' }];
    const chunks: Buffer[] = [];
    for await (const chunk of tarStream(entries)) chunks.push(chunk as Buffer);
    const listing = execFileSync('tar', ['-tvf', '-'], { input: Buffer.concat(chunks) }).toString();
    expect(listing).toMatch(/a\.txt/);
    expect(listing).toMatch(/ 5 /);
  });

  it('keeps a name longer than ustar holds (a pax header), as the system tar reads it', async () => {
    const name = 'x'.repeat(200);
    const archive = await tarBuffer([{ type: 'directory', path: name }, { type: 'file', path: `${name}/${'y'.repeat(150)}`, content: 'long' }]);
    const out = join(work, 'long');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('tar', ['-xf', '-', '-C', out], { input: archive });
    expect(readFileSync(join(out, name, 'y'.repeat(150)), 'utf8')).toBe('long');
  });

  it('fails the stream, naming the file, when a host file cannot be read', async () => {
    await expect(tarBuffer([{ type: 'host-file', path: 'gone', source: join(work, 'does-not-exist') }])).rejects.toThrow(/does-not-exist/);
  });
});
