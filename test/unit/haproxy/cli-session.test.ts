// Specification of the kept runtime API connection: reads asked every tick share one connection in prompt mode, and a
// reload never leaves them talking to the worker it replaces.
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliSession } from '../../../haproxy/cli-session.js';
import { RuntimeClient } from '../../../haproxy/runtime-client.js';

interface FakeCli {
  path: string;
  /** Each connection's commands, in order. */
  connections: string[][];
  /** Ends every open connection, as HAProxy does with an idle one or a stopping worker. */
  hangUp: () => void;
  close: () => Promise<void>;
}

/** A runtime socket like HAProxy's: one answer then close, or after `prompt` each answer then "> " on the same connection. */
async function fakeCli(answer: (cmd: string) => string | null = (cmd) => `answer to ${cmd}\n`): Promise<FakeCli> {
  const path = join(await mkdtemp(join(tmpdir(), 'scaledeck-session-')), 'haproxy.sock');
  const connections: string[][] = [];
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    const commands: string[] = [];
    connections.push(commands);
    let interactive = false;
    let rest = '';
    socket.on('data', (data) => {
      rest += data.toString();
      for (let at = rest.indexOf('\n'); at >= 0; at = rest.indexOf('\n')) {
        const cmd = rest.slice(0, at);
        rest = rest.slice(at + 1);
        commands.push(cmd);
        if (cmd === 'prompt') {
          interactive = true;
          socket.write('\n> ');
          continue;
        }
        const text = answer(cmd);
        if (text === null) continue;
        if (interactive) socket.write(`${text}> `);
        else socket.end(text);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path, connections,
    hangUp: () => open.forEach((socket) => socket.destroy()),
    close: () => new Promise((resolve) => {
      open.forEach((socket) => socket.destroy());
      server.close(() => resolve());
    }),
  };
}

let cli: FakeCli | undefined;
afterEach(async () => {
  await cli?.close();
  cli = undefined;
});

const describeError = (error: Error) => error;

describe('CliSession', () => {
  it('answers commands in turn on one connection, each answer as HAProxy wrote it before its prompt', async () => {
    cli = await fakeCli();
    const session = new CliSession(cli.path, 1000, describeError);
    const answers = await Promise.all([session.send('show stat'), session.send('scaledeck held')]);
    expect(answers).toEqual(['answer to show stat\n', 'answer to scaledeck held\n']);
    expect(await session.send('show stat')).toBe('answer to show stat\n');
    expect(cli.connections).toEqual([['prompt', 'show stat', 'scaledeck held', 'show stat']]);
    session.close();
  });

  it('opens a new connection after HAProxy closed the last one', async () => {
    cli = await fakeCli();
    const session = new CliSession(cli.path, 1000, describeError);
    await session.send('show stat');
    cli.hangUp();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await session.send('show stat')).toBe('answer to show stat\n');
    expect(cli.connections).toHaveLength(2);
    session.close();
  });

  it('fails a command HAProxy does not answer in time, and the next one gets a new connection', async () => {
    cli = await fakeCli((cmd) => (cmd === 'stuck' ? null : `answer to ${cmd}\n`));
    const session = new CliSession(cli.path, 100, describeError);
    await expect(session.send('stuck')).rejects.toThrow(/did not answer "stuck" within 100 ms/);
    expect(await session.send('show stat')).toBe('answer to show stat\n');
    expect(cli.connections).toHaveLength(2);
    session.close();
  });
});

describe('RuntimeClient over a kept connection', () => {
  it('asks the per-tick reads on one kept connection and every change on a connection of its own', async () => {
    cli = await fakeCli((cmd) => (cmd.startsWith('show servers state') ? '1\n# be_id be_name\n' : cmd === 'show stat' ? '# pxname,svname\n' : '\n'));
    const client = new RuntimeClient(cli.path, 1000);
    await client.showStat();
    await client.setState('be', 'web-1', 'drain');
    await client.showServersStateAll();
    await client.command('scaledeck held');
    expect(cli.connections).toEqual([['prompt', 'show stat', 'show servers state', 'scaledeck held'], ['set server be/web-1 state drain']]);
    client.closeSession();
  });

  it('asks on a new connection once a reload is over: the kept one reached the worker the reload replaced', async () => {
    cli = await fakeCli((cmd) => (cmd === 'show stat' ? '# pxname,svname\n' : 'Name: HAProxy\n'));
    const client = new RuntimeClient(cli.path, 1000);
    await client.showStat();
    await client.holdingServerChanges(async () => {
      await client.showStat();
      await client.showInfo();
    });
    await client.showStat();
    expect(cli.connections).toEqual([['prompt', 'show stat'], ['show stat'], ['show info'], ['prompt', 'show stat']]);
    client.closeSession();
  });

  it('asks a read again on a connection of its own when the kept one closed before answering', async () => {
    let first = true;
    cli = await fakeCli((cmd) => {
      if (cmd === 'show stat' && first) {
        first = false;
        cli!.hangUp();
        return null;
      }
      return '# pxname,svname\n';
    });
    const client = new RuntimeClient(cli.path, 1000);
    await expect(client.showStat()).resolves.toEqual([]);
    expect(cli.connections).toEqual([['prompt', 'show stat'], ['show stat']]);
    client.closeSession();
  });
});
