// Which files the offline Node base image is made of, from the host's `ldd` answer.
import { describe, expect, it } from 'vitest';
import { offlineBaseEntries, offlineBaseTag, parseLddOutput } from '../../../electron/core/image/offline-base.js';

const glibc = `	linux-vdso.so.1 (0x00007ffd1b5f9000)
	libdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f20ce8e3000)
	libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f20ce600000)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f20ce33e000)
	/lib64/ld-linux-x86-64.so.2 (0x00007f20ce8fc000)
`;

const musl = `	/lib/ld-musl-x86_64.so.1 (0x7f0c8f2b5000)
	libstdc++.so.6 => /usr/lib/libstdc++.so.6 (0x7f0c8f000000)
	libc.musl-x86_64.so.1 => /lib/ld-musl-x86_64.so.1 (0x7f0c8f2b5000)
`;

describe('parseLddOutput', () => {
  it('lists the libraries and the dynamic loader of a glibc binary, not the vDSO', () => {
    expect(parseLddOutput(glibc)).toEqual([
      '/lib/x86_64-linux-gnu/libdl.so.2',
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });

  it('lists each musl library once', () => {
    expect(parseLddOutput(musl)).toEqual(['/lib/ld-musl-x86_64.so.1', '/usr/lib/libstdc++.so.6']);
  });

  it('names a library the host lacks', () => {
    expect(() => parseLddOutput('\tlibuv.so.1 => not found\n')).toThrow(/libuv\.so\.1/);
  });
});

describe('offline base contents', () => {
  const runtime = { binary: process.execPath, version: 'v20.20.2', libraries: [] };

  it('is tagged with the Node version', () => {
    expect(offlineBaseTag(runtime)).toBe('scaledeck/node-base:20.20.2');
  });

  it('puts node on PATH, a user 1000 in /etc/passwd and a world-writable /tmp, directories first', async () => {
    const entries = await offlineBaseEntries(runtime);
    const paths = entries.map((entry) => entry.path);
    expect(entries).toContainEqual({ type: 'host-file', path: '/usr/local/bin/node', source: process.execPath, mode: 0o755 });
    expect(entries).toContainEqual({ type: 'directory', path: '/tmp', mode: 0o1777 });
    const passwd = entries.find((entry) => entry.path === '/etc/passwd');
    expect(passwd && 'content' in passwd ? String(passwd.content) : '').toMatch(/:1000:1000:/);
    for (const [parent, child] of [['/usr/local/bin', '/usr/local/bin/node'], ['/usr', '/usr/local']]) {
      expect(paths).toContain(parent);
      expect(paths).toContain(child);
      expect(paths.indexOf(parent)).toBeLessThan(paths.indexOf(child));
    }
  });
});
