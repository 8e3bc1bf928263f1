// Is a TCP port free to listen on, and if not, which process holds it (Linux: /proc), for messages a person can act on.
import net from 'node:net';
import { readFile, readdir, readlink } from 'node:fs/promises';

/** Resolves true when `host:port` can be listened on right now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export interface PortOwner {
  pid: number;
  name: string;
}

async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols[1] is local address:port in hex, cols[3] the state (0A = LISTEN), cols[9] the socket inode.
      if (cols.length > 9 && cols[1]?.endsWith(`:${portHex}`) && cols[3] === '0A') inodes.add(cols[9] as string);
    }
  }
  return inodes;
}

/** The process listening on `port`, when this system lets us see it; null otherwise. */
export async function findPortOwner(port: number): Promise<PortOwner | null> {
  if (process.platform !== 'linux') return null;
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return null;
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const fds = await readdir(`/proc/${entry}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode && inodes.has(inode)) {
        const name = (await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '?')).trim();
        return { pid: Number(entry), name };
      }
    }
  }
  return null;
}

/** "port 8080 is used by PID 1234 (nginx)" or "port 8080 is used by another program". */
export async function describePortInUse(port: number): Promise<string> {
  const owner = await findPortOwner(port);
  return owner ? `port ${port} is used by PID ${owner.pid} (${owner.name})` : `port ${port} is used by another program`;
}
