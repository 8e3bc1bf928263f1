// Which addresses belong to this machine: the frontend may bind only those, and the load generator targets only them.
import net from 'node:net';
import os from 'node:os';

/** Every address of this machine's interfaces, loopback included. */
export function machineAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));
}

/** Why `host` is not an address this machine owns, or undefined when it is (wildcards and loopback included). */
export function foreignAddressProblem(host: string, addresses: readonly string[]): string | undefined {
  if (host === '0.0.0.0' || host === '::' || isLoopback(host)) return undefined;
  const bare = host.replace(/%.*$/, '').toLowerCase();
  if (addresses.some((address) => address.replace(/%.*$/, '').toLowerCase() === bare)) return undefined;
  const own = addresses.filter((address) => !address.includes('%') && !address.startsWith('fe80')).slice(0, 6).join(', ');
  return `${host} is not an address of this machine (its addresses: 127.0.0.1, 0.0.0.0 for all, ${own})`;
}

/** Why nothing can listen on `host` right now (any free port), or null when something can. */
export function bindProblem(host: string): Promise<string | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(`cannot listen on ${host}: ${error.code ?? error.message}`));
    server.listen({ port: 0, host, exclusive: true }, () => server.close(() => resolve(null)));
  });
}
