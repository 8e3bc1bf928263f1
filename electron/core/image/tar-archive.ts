// Writes ustar archives as streams: the Docker build context and the offline base image's root filesystem.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';

const BLOCK = 512;

export type TarEntry =
  | { type: 'directory'; path: string; mode?: number }
  | { type: 'file'; path: string; mode?: number; content: Buffer | string }
  /** A file whose bytes are read from `source` on the host while the archive streams (it may be large). */
  | { type: 'host-file'; path: string; mode?: number; source: string };

function octal(value: number, width: number): string {
  // width includes the trailing NUL of the field.
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** ustar keeps names in a 100-byte name plus a 155-byte prefix, split at a '/'. */
function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let cut = path.indexOf('/'); cut !== -1; cut = path.indexOf('/', cut + 1)) {
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return { name, prefix };
  }
  throw new Error(`cannot store ${path} in a tar archive: the path is longer than ustar allows (255 bytes)`);
}

function tarHeader(path: string, kind: 'file' | 'directory', size: number, mode: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  const relative = path.replace(/^\/+/, '') + (kind === 'directory' && !path.endsWith('/') ? '/' : '');
  const { name, prefix } = splitName(relative);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(mode & 0o7777, 8), 100, 8, 'ascii');
  header.write(octal(0, 8), 108, 8, 'ascii');
  header.write(octal(0, 8), 116, 8, 'ascii');
  header.write(octal(size, 12), 124, 12, 'ascii');
  header.write(octal(Math.floor(Date.now() / 1000), 12), 136, 12, 'ascii');
  header.write(' '.repeat(8), 148, 8, 'ascii');
  header.write(kind === 'directory' ? '5' : '0', 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  header.write('root', 265, 32, 'ascii');
  header.write('root', 297, 32, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(octal(checksum, 7) + ' ', 148, 8, 'ascii');
  return header;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

async function* archiveChunks(entries: readonly TarEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    if (entry.type === 'directory') {
      yield tarHeader(entry.path, 'directory', 0, entry.mode ?? 0o755);
    } else if (entry.type === 'file') {
      const content = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content, 'utf8');
      yield tarHeader(entry.path, 'file', content.length, entry.mode ?? 0o644);
      yield content;
      yield padding(content.length);
    } else {
      const { size } = await stat(entry.source);
      yield tarHeader(entry.path, 'file', size, entry.mode ?? 0o644);
      let written = 0;
      if (size > 0) {
        for await (const chunk of createReadStream(entry.source, { end: size - 1 })) {
          written += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      }
      if (written !== size) throw new Error(`${entry.source} changed size while it was being archived: try again`);
      yield padding(size);
    }
  }
  // Two zero blocks end the archive.
  yield Buffer.alloc(BLOCK * 2);
}

/** A readable tar stream of `entries`, in order; parent directories must be listed before their files. */
export function tarStream(entries: readonly TarEntry[]): Readable {
  return Readable.from(archiveChunks(entries), { objectMode: false });
}

/** The whole archive in memory, for small archives such as a build context. */
export async function tarBuffer(entries: readonly TarEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of archiveChunks(entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
