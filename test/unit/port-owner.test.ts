// Port checks on the real network stack: a port this test listens on is taken, and /proc names this process as its owner.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { describePortInUse, findPortOwner, isPortFree } from '../../electron/core/port-owner.js';

const listening: net.Server[] = [];

function listen(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    listening.push(server);
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

afterEach(async () => {
  await Promise.all(listening.splice(0).map(close));
});

describe('isPortFree', () => {
  it('is false while this process listens on the port, and true once it has closed', async () => {
    const port = await listen('127.0.0.1');
    expect(await isPortFree(port, '127.0.0.1')).toBe(false);
    await close(listening.pop()!);
    expect(await isPortFree(port, '127.0.0.1')).toBe(true);
  });

  it('sees a port taken on all interfaces as taken on loopback too', async () => {
    const port = await listen('0.0.0.0');
    expect(await isPortFree(port)).toBe(false);
  });
});

describe.skipIf(process.platform !== 'linux')('findPortOwner (Linux /proc)', () => {
  it('finds this very process listening on a port', async () => {
    const port = await listen('127.0.0.1');
    const owner = await findPortOwner(port);
    expect(owner?.pid).toBe(process.pid);
    expect(owner?.name).toMatch(/\S/);
    expect(await describePortInUse(port)).toBe(`port ${port} is used by PID ${process.pid} (${owner?.name})`);
  });

  it('finds nobody on a port no one listens on', async () => {
    const port = await listen('127.0.0.1');
    await close(listening.pop()!);
    expect(await findPortOwner(port)).toBeNull();
    expect(await describePortInUse(port)).toBe(`port ${port} is used by another program`);
  });
});
