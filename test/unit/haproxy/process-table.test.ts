// Finding haproxy processes by their config file from a process list, as Linux and macOS show it.
import { describe, expect, it } from 'vitest';
import { isRunningConfig, processesRunningConfig, runsConfig, listProcesses } from '../../../haproxy/process-table.js';

const MAC_CONFIG = '/Users/ann/Library/Application Support/ScaleDeck/haproxy.cfg';

describe('runsConfig', () => {
  it('matches a Homebrew haproxy whose config path holds a space (the macOS data folder)', () => {
    expect(runsConfig(`/opt/homebrew/opt/haproxy/bin/haproxy -W -D -f ${MAC_CONFIG}`, MAC_CONFIG)).toBe(true);
    expect(runsConfig(`haproxy -sf 123 -x /tmp/s -f ${MAC_CONFIG} -p /tmp/p`, MAC_CONFIG)).toBe(true);
  });

  it('matches a Debian haproxy with -f joined to the path', () => {
    expect(runsConfig('/usr/sbin/haproxy -W -D -f/home/ann/.config/scaledeck/haproxy.cfg', '/home/ann/.config/scaledeck/haproxy.cfg')).toBe(true);
  });

  it('refuses another config whose path starts the same, another program, and a zombie', () => {
    expect(runsConfig(`/usr/sbin/haproxy -W -D -f ${MAC_CONFIG}.old`, MAC_CONFIG)).toBe(false);
    expect(runsConfig(`/usr/bin/vim -f ${MAC_CONFIG}`, MAC_CONFIG)).toBe(false);
    expect(runsConfig('[haproxy] <defunct>', MAC_CONFIG)).toBe(false);
    expect(runsConfig('', MAC_CONFIG)).toBe(false);
  });
});

describe('processesRunningConfig', () => {
  const list = async () => [
    { pid: 10, cmd: `/opt/homebrew/bin/haproxy -W -D -f ${MAC_CONFIG}` },
    { pid: 11, cmd: `/opt/homebrew/bin/haproxy -W -D -f ${MAC_CONFIG}` },
    { pid: 12, cmd: '/opt/homebrew/bin/haproxy -W -D -f /Users/bob/Library/Application Support/ScaleDeck/haproxy.cfg' },
    { pid: 13, cmd: '/Applications/ScaleDeck.app/Contents/MacOS/ScaleDeck' },
  ];

  it('finds the master and worker of this data folder only', async () => {
    expect(await processesRunningConfig(MAC_CONFIG, list)).toEqual([10, 11]);
    expect(await isRunningConfig(11, MAC_CONFIG, list)).toBe(true);
    expect(await isRunningConfig(12, MAC_CONFIG, list)).toBe(false);
  });

  it('reads the real process list of this machine (this test process is on it)', async () => {
    const processes = await listProcesses();
    expect(processes.find((p) => p.pid === process.pid)?.cmd).toContain('node');
  });
});
