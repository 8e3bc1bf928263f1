// Specification of HAProxy version handling: parsing `haproxy -v`, comparing versions, the messages on failure.
import { describe, expect, it } from 'vitest';
import { checkHaproxy, compareVersions, parseHaproxyVersion } from '../../../haproxy/version.js';

describe('compareVersions', () => {
  it('compares each part as a number', () => {
    expect(compareVersions('2.10', '2.6')).toBe(1);
    expect(compareVersions('2.4.22', '2.6')).toBe(-1);
    expect(compareVersions('2.6.12', '2.6')).toBe(1);
    expect(compareVersions('3.0', '2.9.9')).toBe(1);
  });

  it('treats a missing part as zero', () => {
    expect(compareVersions('2.6', '2.6.0')).toBe(0);
    expect(compareVersions('2.6.0', '2.6')).toBe(0);
  });

  it('ignores suffixes after the numbers', () => {
    expect(compareVersions('2.9-dev5', '2.9')).toBe(0);
    expect(compareVersions('2.6.12-1+deb12u4', '2.6.12')).toBe(0);
  });
});

describe('parseHaproxyVersion', () => {
  it('reads the upstream version from current and old banners', () => {
    expect(parseHaproxyVersion('HAProxy version 2.6.12-1+deb12u4 2023/12/01 - https://haproxy.org/')).toBe('2.6.12');
    expect(parseHaproxyVersion('HA-Proxy version 1.8.19-1+deb10u3 2020/08/01')).toBe('1.8.19');
    expect(parseHaproxyVersion('HAProxy version 3.1-dev4-1a2b3c 2024/07/01')).toBe('3.1-dev4');
  });

  it('returns undefined for output that is not a banner', () => {
    expect(parseHaproxyVersion('nginx version: nginx/1.22.1')).toBeUndefined();
  });
});

describe('checkHaproxy', () => {
  it('tells how to install HAProxy when the binary is missing', async () => {
    await expect(checkHaproxy('scaledeck-no-such-haproxy')).rejects.toThrow(
      'HAProxy was not found on PATH or in /usr/sbin, /usr/local/sbin, /opt/homebrew/sbin, /opt/homebrew/bin, /usr/local/bin; ' +
        'ScaleDeck needs HAProxy 2.6 or newer: sudo apt install haproxy (or name it with SCALEDECK_HAPROXY)',
    );
  });

  it('names the missing path when given one', async () => {
    await expect(checkHaproxy('/nonexistent/haproxy')).rejects.toThrow(/not found at \/nonexistent\/haproxy/);
  });
});
