// Specification of how the runtime client tells HAProxy's refusals from answers, and what it refuses to send.
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliAnswerError, RuntimeClient } from '../../../haproxy/runtime-client.js';

describe('cliAnswerError', () => {
  it.each([
    'No such server.\n\n',
    'No such backend.\n',
    "Can't find backend.\n\n",
    'Unknown command, but maybe one of the following ones is a better match:\n  show fd\n',
    "unknown keyword 'foo'; did you mean 'tfo' maybe ?\n\n",
    'Only servers in maintenance mode can be deleted.\n',
    'Server still has connections attached to it, cannot remove it.\n',
    'Already exists a server with the same name in backend.\n\n',
    'Backend must use a dynamic load balancing to support dynamic servers.\n',
    'Require <backend>/<server>.\n',
    'Invalid server state.\n',
    "'del server' failed.\n",
    'Permission denied\n',
  ])('treats %j as a refusal', (answer) => {
    expect(cliAnswerError(answer)).toBe(answer.split('\n')[0].trim());
  });

  it.each([
    '',
    '\n',
    'New server registered.\n\n',
    'Server deleted.\n',
    'Name: HAProxy\nVersion: 2.6.12\n',
    '# pxname,svname,qcur,qmax,scur,ssl_failed_handshake\n',
    '1\n# be_id be_name srv_id srv_name\n',
  ])('treats %j as success', (answer) => {
    expect(cliAnswerError(answer)).toBeUndefined();
  });
});

describe('RuntimeClient', () => {
  const client = new RuntimeClient('/nonexistent/scaledeck/haproxy.sock', 500);

  it('refuses names that would inject another command', async () => {
    await expect(client.setState('scaledeck', 'web-1; shutdown frontend scaledeck_in', 'ready')).rejects.toThrow(/Invalid server name/);
    await expect(client.command('show info\nshow stat')).rejects.toThrow(/one line/);
  });

  it('refuses a host name, which HAProxy would not resolve for a server added at run time', async () => {
    await expect(client.addServer('scaledeck', 'web-1', 'localhost', 8080)).rejects.toThrow(/not an IP address/);
  });

  it('explains a missing socket', async () => {
    await expect(client.showInfo()).rejects.toThrow(/\/nonexistent\/scaledeck\/haproxy.sock does not exist: HAProxy is not running/);
  });
});

describe('RuntimeClient.holdingServerChanges', () => {
  /** A socket that answers every command after delayMs and logs when each arrived and was answered. */
  async function fakeSocket(delayMs: number): Promise<{ client: RuntimeClient; log: string[]; close: () => Promise<void> }> {
    const dir = await mkdtemp(join(tmpdir(), 'scaledeck-cli-'));
    const path = join(dir, 'haproxy.sock');
    const log: string[] = [];
    const server = net.createServer((socket) => {
      socket.once('data', (data) => {
        const cmd = data.toString().trim();
        log.push(`got ${cmd}`);
        setTimeout(() => {
          log.push(`answered ${cmd}`);
          socket.end('\n');
        }, delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return { client: new RuntimeClient(path, 2000), log, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it('lets a server change already sent finish first, and holds one asked for meanwhile until the work ends', async () => {
    const { client, log, close } = await fakeSocket(30);
    try {
      const before = client.setState('be', 'web-1', 'drain');
      await new Promise((resolve) => setTimeout(resolve, 5));
      let during: Promise<void> | undefined;
      await client.holdingServerChanges(async () => {
        log.push('hold begins');
        during = client.setState('be', 'web-2', 'drain');
        await client.command('show info');
        log.push('hold ends');
      });
      await Promise.all([before, during]);
      expect(log).toEqual([
        'got set server be/web-1 state drain',
        'answered set server be/web-1 state drain',
        'hold begins',
        'got show info',
        'answered show info',
        'hold ends',
        'got set server be/web-2 state drain',
        'answered set server be/web-2 state drain',
      ]);
    } finally {
      await close();
    }
  });

  it('releases held changes when the work fails', async () => {
    const { client, log, close } = await fakeSocket(1);
    try {
      await expect(client.holdingServerChanges(async () => {
        throw new Error('reload refused');
      })).rejects.toThrow('reload refused');
      await client.delServer('be', 'web-1').catch(() => undefined);
      expect(log).toContain('got del server be/web-1');
    } finally {
      await close();
    }
  });
});
