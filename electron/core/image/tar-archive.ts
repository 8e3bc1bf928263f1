// Tar archives as streams (tar-stream): the Docker build context and the offline base image's root filesystem.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';

export type TarEntry =
  | { type: 'directory'; path: string; mode?: number }
  | { type: 'file'; path: string; mode?: number; content: Buffer | string }
  /** A file whose bytes are read from `source` on the host while the archive streams (it may be large). */
  | { type: 'host-file'; path: string; mode?: number; source: string };

const owner = { uid: 0, gid: 0, uname: 'root', gname: 'root' };

async function addEntry(pack: tar.Pack, entry: TarEntry): Promise<void> {
  const name = entry.path.replace(/^\/+/, '');
  if (entry.type === 'directory') {
    await new Promise<void>((resolve, reject) => pack.entry({ ...owner, name, type: 'directory', mode: entry.mode ?? 0o755 }, (e) => (e ? reject(e) : resolve())));
  } else if (entry.type === 'file') {
    const content = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content, 'utf8');
    await new Promise<void>((resolve, reject) => pack.entry({ ...owner, name, mode: entry.mode ?? 0o644 }, content, (e) => (e ? reject(e) : resolve())));
  } else {
    const { size } = await stat(entry.source);
    const sink = pack.entry({ ...owner, name, size, mode: entry.mode ?? 0o644 });
    // tar-stream fails the entry when fewer or more bytes arrive than the header said.
    await pipeline(createReadStream(entry.source, size > 0 ? { end: size - 1 } : { start: 0, end: -1 }), sink).catch((error: Error) => {
      throw new Error(`${entry.source} could not be archived (${error.message}); if it changed size while being read, try again`);
    });
  }
}

/** A readable tar stream of `entries`, in order; parent directories must be listed before their files. */
export function tarStream(entries: readonly TarEntry[]): Readable {
  const pack = tar.pack();
  void (async () => {
    for (const entry of entries) await addEntry(pack, entry);
    pack.finalize();
  })().catch((error: Error) => pack.destroy(error));
  return pack;
}

/** The whole archive in memory, for small archives such as a build context. */
export async function tarBuffer(entries: readonly TarEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarStream(entries)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
