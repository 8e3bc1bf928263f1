// Specification of finding haproxy: a normal user's PATH lacks /usr/sbin, where Debian installs it.
import { describe, expect, it } from 'vitest';
import { findHaproxy, locateHaproxy } from '../../../haproxy/find-haproxy.js';

const onlyThese = (...files: string[]) => (file: string) => files.includes(file);

describe('finding haproxy', () => {
  it('finds Debian\'s /usr/sbin/haproxy with a non-root login PATH that lacks /usr/sbin', () => {
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/games' };
    expect(findHaproxy({ env, isExecutable: onlyThese('/usr/sbin/haproxy') })).toBe('/usr/sbin/haproxy');
  });

  it('prefers PATH over the usual folders, in PATH order', () => {
    const env = { PATH: '/home/me/bin:/usr/bin' };
    const isExecutable = onlyThese('/usr/bin/haproxy', '/home/me/bin/haproxy', '/usr/sbin/haproxy');
    expect(findHaproxy({ env, isExecutable })).toBe('/home/me/bin/haproxy');
  });

  it('looks in Homebrew\'s folders on a Mac', () => {
    expect(findHaproxy({ env: { PATH: '/usr/bin:/bin' }, isExecutable: onlyThese('/opt/homebrew/sbin/haproxy') })).toBe('/opt/homebrew/sbin/haproxy');
    expect(findHaproxy({ env: { PATH: '/usr/bin:/bin' }, isExecutable: onlyThese('/opt/homebrew/bin/haproxy') })).toBe('/opt/homebrew/bin/haproxy');
  });

  it('uses SCALEDECK_HAPROXY as given, over what is installed', () => {
    const env = { PATH: '/usr/sbin', SCALEDECK_HAPROXY: '/opt/haproxy-3.0/sbin/haproxy' };
    expect(locateHaproxy({ env, isExecutable: onlyThese('/usr/sbin/haproxy') })).toEqual({
      bin: '/opt/haproxy-3.0/sbin/haproxy', found: false, searched: ['/opt/haproxy-3.0/sbin/haproxy'],
    });
  });

  it('uses the haproxyPath setting when no environment variable names one, and SCALEDECK_HAPROXY over it', () => {
    const isExecutable = onlyThese('/srv/haproxy', '/usr/sbin/haproxy', '/opt/haproxy');
    expect(findHaproxy({ env: { PATH: '/usr/sbin' }, configured: '/srv/haproxy', isExecutable })).toBe('/srv/haproxy');
    expect(findHaproxy({ env: { PATH: '/usr/sbin', SCALEDECK_HAPROXY: '/opt/haproxy' }, configured: '/srv/haproxy', isExecutable })).toBe('/opt/haproxy');
    expect(findHaproxy({ env: { PATH: '/usr/sbin' }, configured: '', isExecutable })).toBe('/usr/sbin/haproxy');
  });

  it('answers plain "haproxy" with every place it looked when none is installed', () => {
    const found = locateHaproxy({ env: { PATH: 'relative/bin:/usr/bin:/usr/sbin' }, isExecutable: () => false });
    expect(found.bin).toBe('haproxy');
    expect(found.found).toBe(false);
    expect(found.searched).toEqual([
      '/usr/bin/haproxy', '/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/opt/homebrew/sbin/haproxy', '/opt/homebrew/bin/haproxy', '/usr/local/bin/haproxy',
    ]);
  });
});
