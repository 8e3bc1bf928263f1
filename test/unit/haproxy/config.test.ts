// Specification of the rendered haproxy.cfg: the directives ScaleDeck relies on, and the seed variant for benchmarks.
import { describe, expect, it } from 'vitest';
import { closingAclPath, renderHaproxyConfig, serverParameters, serverStatePath, statsHosts, type HaproxyConfigOptions } from '../../../haproxy/config.js';

const base: HaproxyConfigOptions = {
  dataDir: '/var/lib/scaledeck',
  frontendHost: '127.0.0.1',
  frontendPort: 8080,
  statsPort: 8404,
  healthPath: '/health',
};

function section(config: string, head: string): string[] {
  const lines = config.split('\n');
  const start = lines.indexOf(head);
  expect(start, `section "${head}"`).toBeGreaterThanOrEqual(0);
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(' ')) break;
    body.push(line.trim());
  }
  return body;
}

describe('renderHaproxyConfig', () => {
  it('runs master-worker with the pid file and the admin socket in the data folder', () => {
    const global = section(renderHaproxyConfig(base), 'global');
    expect(global).toContain('master-worker');
    expect(global).toContain('pidfile "/var/lib/scaledeck/haproxy.pid"');
    expect(global).toContain('stats socket "/var/lib/scaledeck/haproxy.sock" mode 600 level admin expose-fd listeners');
    expect(global.some((line) => /^maxconn \d+$/.test(line))).toBe(true);
  });

  it('sets HTTP mode and every timeout in defaults', () => {
    const defaults = section(renderHaproxyConfig(base), 'defaults');
    expect(defaults).toContain('mode http');
    expect(defaults).toContain('timeout connect 2s');
    expect(defaults).toContain('timeout client 30s');
    expect(defaults).toContain('timeout server 30s');
    expect(defaults.some((line) => line.startsWith('timeout http-keep-alive '))).toBe(true);
    expect(defaults.some((line) => line.startsWith('timeout http-request '))).toBe(true);
  });

  it('binds the frontend to the configured address and sends it to the backend', () => {
    const frontend = section(renderHaproxyConfig({ ...base, frontendHost: '0.0.0.0', frontendPort: 9000 }), 'frontend scaledeck_in');
    expect(frontend).toContain('bind 0.0.0.0:9000');
    expect(frontend).toContain('default_backend scaledeck');
  });

  it('health-checks the backend and retries only idempotent requests on another server', () => {
    const backend = section(renderHaproxyConfig({ ...base, healthPath: '/ready' }), 'backend scaledeck');
    expect(backend).toContain('balance roundrobin');
    expect(backend).toContain('option httpchk GET /ready');
    expect(backend).toContain('http-check expect status 200');
    expect(backend).toContain('retries 3');
    expect(backend).toContain('option redispatch');
    expect(backend).toContain('retry-on conn-failure empty-response junk-response response-timeout 503');
    expect(backend).toContain('http-request disable-l7-retry unless METH_GET');
  });

  it('leaves the backend without servers, because they are added at run time', () => {
    const backend = section(renderHaproxyConfig(base), 'backend scaledeck');
    expect(backend.filter((line) => /^(server|default-server)\b/.test(line))).toEqual([]);
  });

  it('carries servers into the backend with the options a runtime-added server gets', () => {
    const servers = [{ name: 'r1', address: '127.0.0.1', port: 32768 }, { name: 'r2', address: '::1', port: 32769 }];
    const backend = section(renderHaproxyConfig({ ...base, servers }), 'backend scaledeck');
    expect(backend).toContain(`server r1 127.0.0.1:32768 ${serverParameters()}`);
    expect(backend).toContain(`server r2 ::1:32769 ${serverParameters()}`);
  });

  it('takes each server\'s state from the file a reload writes', () => {
    const config = renderHaproxyConfig(base);
    expect(section(config, 'global')).toContain(`server-state-file "${serverStatePath(base.dataDir)}"`);
    expect(section(config, 'defaults')).toContain('load-server-state-from-file global');
  });

  it('names the backend as asked', () => {
    const config = renderHaproxyConfig({ ...base, backendName: 'web_pool' });
    expect(section(config, 'backend web_pool')).toContain('balance roundrobin');
    expect(section(config, 'frontend scaledeck_in')).toContain('default_backend web_pool');
  });

  it('serves the stats page on 127.0.0.1 at the stats port', () => {
    const stats = section(renderHaproxyConfig(base), 'frontend scaledeck_stats');
    expect(stats).toEqual(expect.arrayContaining(['bind 127.0.0.1:8404', 'stats enable', 'stats uri /', 'stats refresh 2s']));
    expect(stats).toContain('http-request deny deny_status 403 unless { req.hdr(host),lower -m str 127.0.0.1:8404 localhost:8404 }');
    expect(statsHosts(80)).toEqual(['127.0.0.1:80', '127.0.0.1', 'localhost:80', 'localhost']);
  });

  it('renders the seed style without retries, redispatch or retry-on', () => {
    const backend = section(renderHaproxyConfig({ ...base, style: 'seed' }), 'backend scaledeck');
    expect(backend).toContain('retries 0');
    expect(backend).toContain('balance roundrobin');
    expect(backend).toContain('option httpchk GET /health');
    expect(backend.some((line) => /redispatch|retry-on|disable-l7-retry|retries [1-9]/.test(line))).toBe(false);
  });

  it('differs between the two styles only in the backend', () => {
    const ours = renderHaproxyConfig(base);
    const seed = renderHaproxyConfig({ ...base, style: 'seed' });
    expect(ours).not.toEqual(seed);
    expect(section(ours, 'global')).toEqual(section(seed, 'global'));
    expect(section(ours, 'frontend scaledeck_in')).toEqual(section(seed, 'frontend scaledeck_in'));
  });

  it('answers the clients on the closing ACL with Connection: close, so a reload can end keep-alive before the soft stop', () => {
    const frontend = section(renderHaproxyConfig({ ...base, closingAcl: closingAclPath(base.dataDir) }), 'frontend scaledeck_in');
    expect(frontend).toContain('http-after-response set-header Connection close if { src -f "/var/lib/scaledeck/closing-clients.acl" }');
    expect(section(renderHaproxyConfig(base), 'frontend scaledeck_in').some((line) => line.includes('Connection close'))).toBe(false);
    expect(() => renderHaproxyConfig({ ...base, closingAcl: '/tmp/"x".acl' })).toThrow(/closing ACL/);
  });

  it('rejects values that would break the file, naming the field', () => {
    expect(() => renderHaproxyConfig({ ...base, frontendPort: 70000 })).toThrow(/frontendPort/);
    expect(() => renderHaproxyConfig({ ...base, statsPort: 8080 })).toThrow(/statsPort/);
    expect(() => renderHaproxyConfig({ ...base, healthPath: 'health' })).toThrow(/healthPath/);
    expect(() => renderHaproxyConfig({ ...base, healthPath: '/a b' })).toThrow(/healthPath/);
    expect(() => renderHaproxyConfig({ ...base, backendName: 'a b' })).toThrow(/backendName/);
    expect(() => renderHaproxyConfig({ ...base, frontendHost: '1.2.3.4\nbind' })).toThrow(/frontendHost/);
    expect(() => renderHaproxyConfig({ ...base, frontendHost: 'example.com' })).toThrow(/frontendHost/);
    expect(() => renderHaproxyConfig({ ...base, healthPath: '/a#b' })).toThrow(/healthPath/);
    expect(() => renderHaproxyConfig({ ...base, servers: [{ name: 'r 1', address: '127.0.0.1', port: 1 }] })).toThrow(/server/);
    expect(() => renderHaproxyConfig({ ...base, dataDir: '/tmp/"x"' })).toThrow(/data folder/);
  });

  it('refuses a data folder too long for a UNIX socket path', () => {
    expect(() => renderHaproxyConfig({ ...base, dataDir: `/tmp/${'d'.repeat(120)}` })).toThrow(/shorter data folder/);
  });
});
