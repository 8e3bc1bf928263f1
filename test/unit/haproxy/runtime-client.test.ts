// Specification of how the runtime client tells HAProxy's refusals from answers, and what it refuses to send.
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
