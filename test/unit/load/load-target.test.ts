// Specification of where a load run may send: paths on our frontend, never another origin.
import { describe, expect, it } from 'vitest';
import { LoadGenerator, loadTarget } from '../../../electron/core/load-generator.js';

const frontend = 'http://127.0.0.1:8080/';

describe('loadTarget', () => {
  it.each([
    ['/', 'http://127.0.0.1:8080/'],
    ['/work?ms=20', 'http://127.0.0.1:8080/work?ms=20'],
    ['/a/../b', 'http://127.0.0.1:8080/b'],
  ])('resolves %s on the frontend', (path, url) => {
    expect(loadTarget(frontend, path)).toEqual({ url });
  });

  it('loads the frontend root when no path is given', () => {
    expect(loadTarget('http://[::1]:9000/')).toEqual({ url: 'http://[::1]:9000/' });
  });

  it.each(['//other.host/', '/\\other.host/', '//127.0.0.1:22/', '//127.0.0.1:8081/', 'http://example.com/'])(
    'refuses %s, which leaves the frontend, naming path',
    (path) => {
      const target = loadTarget(frontend, path);
      expect(target).toEqual({ error: expect.stringMatching(/^path: .* not to the frontend http:\/\/127\.0\.0\.1:8080/) });
    },
  );
});

describe('LoadGenerator', () => {
  it('refuses to start a run off the frontend and keeps the current status', () => {
    const changes: unknown[] = [];
    const generator = new LoadGenerator((status) => changes.push(status), () => 0);
    expect(() => generator.start(frontend, { rate: 10, durationS: 1, path: '//other.host/' })).toThrow(/^path: /);
    expect(generator.status.running).toBe(false);
    expect(changes).toEqual([]);
  });
});
