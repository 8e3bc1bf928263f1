// Specification of normalisation: every YAML form Compose allows for a key read into one canonical shape.
import { describe, expect, it } from 'vitest';
import { FieldScope } from '../../electron/core/compose/compose-fields.js';
import { normalizeProject } from '../../electron/core/compose/compose-normalize.js';
import { normalizeService } from '../../electron/core/compose/compose-normalize-service.js';
import { readExpose, readPorts } from '../../electron/core/compose/compose-ports.js';
import { shellWords } from '../../electron/core/compose/compose-shell-words.js';
import { parseBytes, parseDurationS } from '../../electron/core/compose/compose-units.js';
import { readVolumes } from '../../electron/core/compose/compose-volumes.js';

const scope = new FieldScope('compose.yaml', 'web');
const service = (raw: Record<string, unknown>) => normalizeService(scope, 'web', { image: 'example/web', ...raw });

describe('ports', () => {
  it.each([
    ['8080', [{ target: 8080, published: undefined, hostIp: undefined, protocol: 'tcp' }]],
    [8080, [{ target: 8080, published: undefined, hostIp: undefined, protocol: 'tcp' }]],
    ['8080:80', [{ target: 80, published: 8080, hostIp: undefined, protocol: 'tcp' }]],
    ['127.0.0.1:8080:80', [{ target: 80, published: 8080, hostIp: '127.0.0.1', protocol: 'tcp' }]],
    ['127.0.0.1::80', [{ target: 80, published: undefined, hostIp: '127.0.0.1', protocol: 'tcp' }]],
    ['8080:80/tcp', [{ target: 80, published: 8080, hostIp: undefined, protocol: 'tcp' }]],
    ['6060:6060/udp', [{ target: 6060, published: 6060, hostIp: undefined, protocol: 'udp' }]],
    ['[::1]:6001:6001', [{ target: 6001, published: 6001, hostIp: '::1', protocol: 'tcp' }]],
    ['::1:6000:6000', [{ target: 6000, published: 6000, hostIp: '::1', protocol: 'tcp' }]],
    ['9090-9091:8080-8081', [{ target: 8080, published: 9090, hostIp: undefined, protocol: 'tcp' }, { target: 8081, published: 9091, hostIp: undefined, protocol: 'tcp' }]],
    ['8000-9000:80', [{ target: 80, published: undefined, hostIp: undefined, protocol: 'tcp' }]],
  ])('short syntax %s', (port, expected) => {
    expect(readPorts(scope, [port])).toEqual(expected);
  });

  it('reads the long syntax, with published as text or number', () => {
    expect(readPorts(scope, [{ target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'TCP', mode: 'host', name: 'web' }, { target: '443', published: 8443 }, { target: 81 }]))
      .toEqual([
        { target: 80, published: 8080, hostIp: '127.0.0.1', protocol: 'tcp' },
        { target: 443, published: 8443, hostIp: undefined, protocol: 'tcp' },
        { target: 81, published: undefined, hostIp: undefined, protocol: 'tcp' },
      ]);
  });

  it('reads expose: ports and ranges', () => {
    expect(readExpose(scope, ['3000', 8000, '8080-8081/tcp', '53/udp'])).toEqual([
      { port: 3000, protocol: 'tcp' }, { port: 8000, protocol: 'tcp' }, { port: 8080, protocol: 'tcp' }, { port: 8081, protocol: 'tcp' }, { port: 53, protocol: 'udp' },
    ]);
  });

  it('refuses ranges of different lengths and ranges that run backwards', () => {
    expect(() => readPorts(scope, ['9090-9092:8080-8081'])).toThrow(/same length/);
    expect(() => readPorts(scope, ['8081-8080'])).toThrow(/ends before it starts/);
  });
});

describe('volumes', () => {
  it('tells binds, named volumes, anonymous volumes and read-only mounts apart', () => {
    expect(readVolumes(scope, ['./conf:/etc/app:ro', 'data:/var/lib/data', '/cache', '~/x:/x', '/abs:/abs:ro,z', { type: 'bind', source: './a', target: '/a', read_only: true }, { type: 'tmpfs', target: '/tmp' }]))
      .toEqual([
        { type: 'bind', source: './conf', target: '/etc/app', readOnly: true, key: 'volumes.0' },
        { type: 'volume', source: 'data', target: '/var/lib/data', readOnly: false, key: 'volumes.1' },
        { type: 'volume', target: '/cache', readOnly: false, key: 'volumes.2' },
        { type: 'bind', source: '~/x', target: '/x', readOnly: false, key: 'volumes.3' },
        { type: 'bind', source: '/abs', target: '/abs', readOnly: true, key: 'volumes.4' },
        { type: 'bind', source: './a', target: '/a', readOnly: true, key: 'volumes.5' },
        { type: 'tmpfs', source: undefined, target: '/tmp', readOnly: false, key: 'volumes.6' },
      ]);
  });

  it('refuses a long-syntax mount without a target, and a bind without a source', () => {
    expect(() => readVolumes(scope, [{ type: 'volume', source: 'x' }])).toThrow(/volumes.0.target: is required/);
    expect(() => readVolumes(scope, [{ type: 'bind', target: '/x' }])).toThrow(/volumes.0.source: is required/);
  });
});

describe('commands', () => {
  it.each([
    ['bundle exec thin -p 3000', ['bundle', 'exec', 'thin', '-p', '3000']],
    [`/bin/sh -c 'echo "hello $HOSTNAME"'`, ['/bin/sh', '-c', 'echo "hello $HOSTNAME"']],
    ['echo "a \\"b\\" c" d\\ e', ['echo', 'a "b" c', 'd e']],
    ['  spaced   out  ', ['spaced', 'out']],
    ["empty '' word", ['empty', '', 'word']],
    ['', []],
  ])('splits %s into shell words', (text, words) => {
    expect(shellWords(text)).toEqual(words);
  });

  it('takes a list as it is, and leaves null to the image', () => {
    expect(service({ command: ['npm', 'start'], entrypoint: null })).toMatchObject({ command: ['npm', 'start'], entrypoint: undefined });
  });
});

describe('units', () => {
  it.each([['512m', 512 * 1024 ** 2], ['1g', 1024 ** 3], ['1gb', 1024 ** 3], ['2048k', 2048 * 1024], ['300', 300], [64, 64], ['1.5G', 1.5 * 1024 ** 3]])('reads the size %s', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });
  it.each([['10s', 10], ['1m30s', 90], ['1h5m30s20ms', 3930.02], ['500ms', 0.5], [3, 3]])('reads the duration %s', (text, seconds) => {
    expect(parseDurationS(text)).toBeCloseTo(seconds);
  });
  it('refuses what is neither', () => {
    expect(parseBytes('lots')).toBeUndefined();
    expect(parseDurationS('soon')).toBeUndefined();
  });
});

describe('a service', () => {
  it('reads environment, labels and build args from a list or a mapping alike', () => {
    const fromList = service({ environment: ['A=1', 'B=', 'C', 'D=x=y'], labels: ['l=1'], build: { context: 'app', args: ['V=1', 'UNSET'] } });
    const fromMap = service({ environment: { A: 1, B: '', C: null, D: 'x=y' }, labels: { l: '1' }, build: { context: 'app', args: { V: '1' } } });
    for (const s of [fromList, fromMap]) {
      expect(s.environment).toEqual({ A: '1', B: '', C: null, D: 'x=y' });
      expect(s.labels).toEqual({ l: '1' });
      expect(s.build).toEqual({ context: 'app', dockerfile: undefined, target: undefined, args: { V: '1' } });
    }
  });

  it('reads env_file as a string, a list, or the long form', () => {
    expect(service({ env_file: 'a.env' }).envFiles).toEqual([{ path: 'a.env', required: true, raw: false, key: 'env_file' }]);
    expect(service({ env_file: ['a.env', { path: 'b.env', required: false, format: 'raw' }] }).envFiles).toEqual([
      { path: 'a.env', required: true, raw: false, key: 'env_file.0' },
      { path: 'b.env', required: false, raw: true, key: 'env_file.1' },
    ]);
  });

  it('reads depends_on, networks and secrets in their short and long forms', () => {
    const short = service({ depends_on: ['db'], networks: ['front'], secrets: ['token'] });
    const long = service({ depends_on: { db: { condition: 'service_healthy', restart: true } }, networks: { front: { aliases: ['api'] } }, secrets: [{ source: 'token', target: 'tok' }] });
    expect(short.dependsOn).toEqual(['db']);
    expect(long.dependsOn).toEqual(['db']);
    expect([...(short.networks ?? [])]).toEqual([['front', { aliases: [] }]]);
    expect([...(long.networks ?? [])]).toEqual([['front', { aliases: ['api'] }]]);
    expect(short.secrets).toEqual([{ source: 'token', key: 'secrets.0' }]);
    expect(long.secrets).toEqual([{ source: 'token', target: 'tok', key: 'secrets.0' }]);
  });

  it('reads deploy limits, healthcheck, extra_hosts, ulimits and stop_grace_period', () => {
    const s = service({
      deploy: { replicas: 3, resources: { limits: { cpus: '0.50', memory: '512M' } } },
      healthcheck: { test: 'curl -f http://localhost/healthz || exit 1' },
      extra_hosts: ['a=1.2.3.4', 'b:5.6.7.8', 'v6=[::1]'],
      ulimits: { nproc: 65535, nofile: { soft: 20000, hard: 40000 } },
      stop_grace_period: '1m30s',
      shm_size: '64m',
    });
    expect(s).toMatchObject({
      replicas: 3,
      cpus: 0.5,
      memoryBytes: 512 * 1024 ** 2,
      healthTest: ['CMD-SHELL', 'curl -f http://localhost/healthz || exit 1'],
      extraHosts: ['a:1.2.3.4', 'b:5.6.7.8', 'v6:::1'],
      ulimits: [{ name: 'nproc', soft: 65535, hard: 65535 }, { name: 'nofile', soft: 20000, hard: 40000 }],
      stopGracePeriodS: 90,
      shmSizeBytes: 64 * 1024 ** 2,
    });
    expect(service({ healthcheck: { test: ['NONE'] } }).healthTest).toBeUndefined();
    expect(service({ healthcheck: { test: ['CMD', 'true'], disable: true } }).healthTest).toBeUndefined();
  });
});

describe('the project', () => {
  const project = (root: Record<string, unknown>, naming: { projectName?: string; projectDir?: string } = { projectName: 'p' }) => normalizeProject({ services: { web: { image: 'a/b' } }, ...root }, 'compose.yaml', naming);

  it('is named by name:, else the caller, else its folder, normalised as Compose normalises', () => {
    expect(project({ name: 'My Shop!' }).name).toBe('myshop');
    expect(project({}, { projectName: 'Given', projectDir: '/x/folder' }).name).toBe('given');
    expect(project({}, { projectDir: '/home/me/_Web.App' }).name).toBe('webapp');
  });

  it('reads networks with their engine names, external and internal', () => {
    const { networks } = project({ networks: { back: { internal: true, driver: 'bridge' }, out: { external: true, name: 'proxy' }, old: { external: { name: 'legacy' } } } });
    expect(Object.fromEntries(networks)).toEqual({
      back: { name: undefined, external: false, internal: true, driver: 'bridge' },
      out: { name: 'proxy', external: true, internal: false, driver: undefined },
      old: { name: 'legacy', external: true, internal: false, driver: undefined },
    });
  });

  it('ignores x- keys and the obsolete version:, and warns about other top-level keys', () => {
    expect(project({ version: '3.8', 'x-common': { a: 1 }, volumez: {} }).warnings).toEqual(['top-level key "volumez" is not part of the Compose Specification ScaleDeck reads; ignored']);
  });
});
