// Specification of the haproxy.cfg of several services: a frontend and a backend each, a shared frontend routing by
// Host and path, servers in their own backends, and every way a list of services can be unusable.
import { describe, expect, it } from 'vitest';
import { renderHaproxyConfig, serverParameters, type HaproxyConfigOptions, type ServiceRouting } from '../../../haproxy/config.js';
import { HOLD_TIMEOUT_BODY } from '../../../haproxy/request-hold.js';
import { NO_ROUTE_BODY } from '../../../haproxy/service-routing.js';

const web: ServiceRouting = { backend: 'web', frontend: 'web_in', frontendHost: '127.0.0.1', frontendPort: 8080, healthPath: '/health' };
const api: ServiceRouting = { backend: 'api', frontend: 'api_in', frontendHost: '0.0.0.0', frontendPort: 8081, healthPath: '/ready', holdTimeoutS: 30 };
const base: HaproxyConfigOptions = { dataDir: '/var/lib/scaledeck', statsPort: 8404, services: [web, api] };

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

const heads = (config: string) => config.split('\n').filter((line) => /^(frontend|backend) /.test(line));

describe('renderHaproxyConfig with several services', () => {
  it('gives every service its own frontend, sending to its own backend, checked on its own health path', () => {
    const config = renderHaproxyConfig(base);
    expect(heads(config)).toEqual(['frontend web_in', 'backend web', 'frontend api_in', 'backend api', 'frontend scaledeck_stats']);
    expect(section(config, 'frontend web_in')).toEqual(['bind 127.0.0.1:8080', 'default_backend web']);
    expect(section(config, 'frontend api_in')).toContain('bind 0.0.0.0:8081');
    expect(section(config, 'frontend api_in')).toContain('default_backend api');
    expect(section(config, 'backend web')).toContain('option httpchk GET /health');
    expect(section(config, 'backend api')).toContain('option httpchk GET /ready');
    for (const backend of ['backend web', 'backend api']) {
      expect(section(config, backend)).toEqual(expect.arrayContaining(['balance roundrobin', 'retries 3', 'option redispatch', 'http-check expect status 200']));
    }
  });

  it('holds requests only in the frontend of a service with a hold, for its own backend', () => {
    const config = renderHaproxyConfig(base);
    expect(section(config, 'global')).toContain('lua-load "/var/lib/scaledeck/request-hold.lua"');
    expect(section(config, 'frontend api_in')).toContain('http-request lua.scaledeck_hold api 30000 if { nbsrv(api) eq 0 } !{ stopping }');
    expect(section(config, 'frontend web_in').some((line) => line.includes('scaledeck_hold'))).toBe(false);
    expect(section(renderHaproxyConfig({ ...base, services: [web] }), 'global').some((line) => line.startsWith('lua-load'))).toBe(false);
  });

  it('puts each server into the backend it names, and a server without one into the first service\'s', () => {
    const servers = [{ name: 'r1', address: '127.0.0.1', port: 3000 }, { name: 'r1', address: '127.0.0.1', port: 3001, backend: 'api' }];
    const config = renderHaproxyConfig({ ...base, servers });
    expect(section(config, 'backend web').filter((line) => line.startsWith('server '))).toEqual([`server r1 127.0.0.1:3000 ${serverParameters()}`]);
    expect(section(config, 'backend api').filter((line) => line.startsWith('server '))).toEqual([`server r1 127.0.0.1:3001 ${serverParameters()}`]);
  });

  it('checks each backend\'s servers on their own paths, falling back to the service\'s health path', () => {
    const config = renderHaproxyConfig({ ...base, healthPathMap: '/var/lib/scaledeck/health-paths.map' });
    expect(section(config, 'backend web')).toContain('http-check send meth GET uri-lf %[srv_name,map("/var/lib/scaledeck/health-paths.map",/health)]');
    expect(section(config, 'backend api')).toContain('http-check send meth GET uri-lf %[srv_name,map("/var/lib/scaledeck/health-paths.map",/ready)]');
  });

  it('logs requests and ends keep-alive for a reload on every frontend', () => {
    const requestLog = { port: 5140, secret: '0123456789abcdef0123456789abcdef' };
    const config = renderHaproxyConfig({ ...base, requestLog, closingAcl: '/var/lib/scaledeck/closing-clients.acl' });
    for (const frontend of ['frontend web_in', 'frontend api_in']) {
      expect(section(config, frontend)).toContain('log 127.0.0.1:5140 len 256 format raw local0 info');
      expect(section(config, frontend)).toContain('http-after-response set-header Connection close if { src -f "/var/lib/scaledeck/closing-clients.acl" }');
    }
  });
});

describe('the shared frontend', () => {
  const routed: HaproxyConfigOptions = {
    ...base,
    services: [
      { ...web, route: { host: 'Shop.Example' } },
      { ...api, route: { host: 'shop.example', pathPrefix: '/api' } },
      { backend: 'docs', frontend: 'docs_in', frontendHost: '127.0.0.1', frontendPort: 8082, healthPath: '/', route: { pathPrefix: '/docs' } },
      { backend: 'admin', frontend: 'admin_in', frontendHost: '127.0.0.1', frontendPort: 8083, healthPath: '/' },
    ],
    sharedFrontend: { host: '0.0.0.0', port: 8000 },
  };
  const shared = () => section(renderHaproxyConfig(routed), 'frontend scaledeck_shared');

  it('matches the Host header without its port and in any case, and the path by prefix', () => {
    expect(shared()).toEqual(expect.arrayContaining([
      'bind 0.0.0.0:8000',
      'acl web_host req.hdr(host),lower,field(1,:) -m str shop.example',
      'acl api_host req.hdr(host),lower,field(1,:) -m str shop.example',
      'acl api_path path_beg /api',
      'acl docs_path path_beg /docs',
    ]));
  });

  it('chooses one backend per request, the longest path prefix first, and answers 404 when no route matches', () => {
    const lines = shared();
    const choices = lines.filter((line) => line.startsWith('http-request set-var(txn.scaledeck_route)'));
    expect(choices).toEqual([
      'http-request set-var(txn.scaledeck_route) str(docs) if docs_path !{ var(txn.scaledeck_route) -m found }',
      'http-request set-var(txn.scaledeck_route) str(api) if api_host api_path !{ var(txn.scaledeck_route) -m found }',
      'http-request set-var(txn.scaledeck_route) str(web) if web_host !{ var(txn.scaledeck_route) -m found }',
    ]);
    expect(lines).toContain(`http-request return status 404 content-type text/plain string "${NO_ROUTE_BODY}" unless { var(txn.scaledeck_route) -m found }`);
    expect(lines.filter((line) => line.startsWith('use_backend'))).toEqual([
      'use_backend docs if { var(txn.scaledeck_route) -m str docs }',
      'use_backend api if { var(txn.scaledeck_route) -m str api }',
      'use_backend web if { var(txn.scaledeck_route) -m str web }',
    ]);
    expect(lines.some((line) => line.includes('admin'))).toBe(false);
  });

  it('holds a request routed to a service with a hold, and only that one', () => {
    const lines = shared();
    expect(lines.filter((line) => line.includes('lua.scaledeck_hold'))).toEqual([
      'http-request lua.scaledeck_hold api 30000 if { nbsrv(api) eq 0 } { var(txn.scaledeck_route) -m str api } !{ stopping }',
    ]);
    expect(lines.some((line) => line.includes(HOLD_TIMEOUT_BODY))).toBe(true);
  });

  it('answers 404 to every request while no service has a route', () => {
    const lines = section(renderHaproxyConfig({ ...base, sharedFrontend: { host: '127.0.0.1', port: 8000 } }), 'frontend scaledeck_shared');
    expect(lines).toEqual(['bind 127.0.0.1:8000', `http-request return status 404 content-type text/plain string "${NO_ROUTE_BODY}" unless { var(txn.scaledeck_route) -m found }`]);
  });

  it('comes after the services and before the stats page', () => {
    expect(heads(renderHaproxyConfig(routed)).slice(-2)).toEqual(['frontend scaledeck_shared', 'frontend scaledeck_stats']);
  });

  it('gives a service served only on the shared frontend no frontend of its own, its backend and route kept', () => {
    const onlyShared = { ...api, frontendPort: 0, route: { pathPrefix: '/api' } };
    const config = renderHaproxyConfig({ ...base, services: [web, onlyShared], sharedFrontend: { host: '127.0.0.1', port: 8000 } });
    expect(heads(config)).toEqual(['frontend web_in', 'backend web', 'backend api', 'frontend scaledeck_shared', 'frontend scaledeck_stats']);
    expect(config).not.toMatch(/bind \S+:0\b/);
    const lines = section(config, 'frontend scaledeck_shared');
    expect(lines).toContain('use_backend api if { var(txn.scaledeck_route) -m str api }');
    // Its hold moves with it: a request on its route still waits for a first replica.
    expect(lines).toContain('http-request lua.scaledeck_hold api 30000 if { nbsrv(api) eq 0 } { var(txn.scaledeck_route) -m str api } !{ stopping }');
    expect(section(config, 'global')).toContain('lua-load "/var/lib/scaledeck/request-hold.lua"');
  });

  it('lets a service served only on the shared frontend share no port with anyone: its frontendPort binds nothing', () => {
    const both = [{ ...web, frontendPort: 0, route: { host: 'a.example' } }, { ...api, frontendPort: 0, route: { host: 'b.example' } }];
    const config = renderHaproxyConfig({ ...base, services: both, sharedFrontend: { host: '127.0.0.1', port: 8000 } });
    expect(heads(config)).toEqual(['backend web', 'backend api', 'frontend scaledeck_shared', 'frontend scaledeck_stats']);
  });
});

describe('a list of services HAProxy could not use', () => {
  const render = (change: Partial<HaproxyConfigOptions>) => () => renderHaproxyConfig({ ...base, ...change });
  const withServices = (...services: ServiceRouting[]) => render({ services });

  it.each([
    ['no service', withServices(), /between 1 and 16 services, got 0/],
    ['17 services', withServices(...Array.from({ length: 17 }, (_, i) => ({ ...web, backend: `b${i}`, frontend: `f${i}`, frontendPort: 9000 + i }))), /between 1 and 16 services, got 17/],
    ['two services with one backend', withServices(web, { ...api, backend: 'web' }), /two services have the backend "web"/],
    ['two services with one frontend', withServices(web, { ...api, frontend: 'web_in' }), /two services have the frontend "web_in"/],
    ['a frontend named like the stats page', withServices({ ...web, frontend: 'scaledeck_stats' }), /frontend "scaledeck_stats" is a name ScaleDeck's own sections use/],
    ['two frontends on one address', withServices(web, { ...api, frontendHost: '127.0.0.1', frontendPort: 8080 }), /services\[0\]\.frontendPort and services\[1\]\.frontendPort both bind 127\.0\.0\.1:8080/],
    ['a frontend on every address and another on the same port', withServices(web, { ...api, frontendPort: 8080 }), /both bind 0\.0\.0\.0:8080/],
    ['a frontend on the stats port', withServices(web, { ...api, frontendPort: 8404 }), /services\[1\]\.frontendPort and statsPort must differ/],
    ['the shared frontend on a service\'s address', render({ services: [{ ...web, route: { host: 'a.example' } }], sharedFrontend: { host: '127.0.0.1', port: 8080 } }), /services\[0\]\.frontendPort and sharedFrontend\.port both bind/],
    ['the shared frontend on the stats port', render({ services: [{ ...web, route: { host: 'a.example' } }], sharedFrontend: { host: '127.0.0.1', port: 8404 } }), /sharedFrontend\.port and statsPort must differ/],
    ['the shared frontend on a host name', render({ services: [{ ...web, route: { host: 'a.example' } }], sharedFrontend: { host: 'example.com', port: 8000 } }), /sharedFrontend\.host must be an IP address/],
    ['a backend name with a space', withServices({ ...web, backend: 'my web' }), /services\[0\]\.backend may contain only letters/],
    ['a backend name longer than a request log line keeps', withServices({ ...web, backend: 'b'.repeat(101) }), /services\[0\]\.backend must be 100 characters or fewer/],
    ['a frontend name with a quote', withServices({ ...web, frontend: 'web"in' }), /services\[0\]\.frontend may contain only letters/],
    ['a health path without a slash', withServices({ ...web, healthPath: 'health' }), /services\[0\] \("web"\) healthPath must be a path starting with \//],
    ['a frontend host name', withServices({ ...web, frontendHost: 'example.com' }), /services\[0\] \("web"\) frontendHost must be an IP address/],
    ['a port out of range', withServices({ ...web, frontendPort: 70000 }), /services\[0\] \("web"\) frontendPort must be 0 \(served only on the shared frontend\) or a port number/],
    ['no frontend of its own and no route', withServices({ ...web, frontendPort: 0 }), /services\[0\] \("web"\) frontendPort is 0 \(served only on the shared frontend\), which needs a route/],
    ['no frontend of its own and no shared frontend', withServices({ ...web, frontendPort: 0, route: { pathPrefix: '/web' } }), /services\[0\]\.frontendPort is 0 \(served only on the shared frontend\), but there is no sharedFrontend/],
    ['a hold of no time', withServices({ ...web, holdTimeoutS: 0 }), /holdTimeoutS must be a positive number/],
    ['a route with neither host nor path', withServices({ ...web, route: {} }), /route needs a host, a pathPrefix or both/],
    ['a path prefix without a slash', withServices({ ...web, route: { pathPrefix: 'api' } }), /route\.pathPrefix must be a path starting with \//],
    ['a path prefix with a space', withServices({ ...web, route: { pathPrefix: '/a b' } }), /route\.pathPrefix must not contain spaces/],
    ['a path prefix with a quote', withServices({ ...web, route: { pathPrefix: '/a"b' } }), /route\.pathPrefix must not contain "/],
    ['a route host with a port', withServices({ ...web, route: { host: 'a.example:80' } }), /route\.host must be a host name/],
    ['a route host with a space', withServices({ ...web, route: { host: 'a example' } }), /route\.host must be a host name/],
    ['two services with the same route', withServices({ ...web, route: { host: 'A.example' } }, { ...api, route: { host: 'a.example' } }), /services "web" and "api" have the same route/],
    ['a server of a backend no service has', render({ servers: [{ name: 'r1', address: '127.0.0.1', port: 3000, backend: 'gone' }] }), /server r1 belongs to the backend "gone", which no service has/],
    ['services beside the single-service fields', render({ frontendPort: 8080 }), /give each service its own frontendPort in services/],
  ])('refuses %s, naming the problem', (_name, renderIt, message) => {
    expect(renderIt).toThrow(message);
  });

  it('still needs the single-service fields when no services are given', () => {
    expect(() => renderHaproxyConfig({ dataDir: '/tmp/sd', statsPort: 8404, frontendHost: '127.0.0.1', frontendPort: 8080 })).toThrow(/healthPath is required when no services are given/);
  });

  it('accepts two frontends on one port at two specific addresses', () => {
    expect(() => withServices(web, { ...api, frontendHost: '127.0.0.2', frontendPort: 8080 })()).not.toThrow();
  });
});
