// The services of one haproxy.cfg and how requests reach them: each its own frontend and backend, optionally routed
// by Host and path on a shared frontend; checked as a whole, since a name or an address may be taken only once.
import { frontendHostProblem, healthPathProblem } from './config-values.js';
import type { HaproxyConfigOptions, ServiceRouting } from './config.js';

export const MAX_SERVICES = 16;
export const SHARED_FRONTEND_NAME = 'scaledeck_shared';
/** The body of the shared frontend's answer to a request no service's route matches. */
export const NO_ROUTE_BODY = 'No service is routed for this host and path.';

const NAME = /^[A-Za-z0-9_.:-]+$/;
// A request log line (256 bytes at most, request-log.ts) ends with the backend's name, which must arrive whole.
const MAX_NAME_LENGTH = 100;
const ROUTE_HOST = /^[A-Za-z0-9.-]+$/;

/** The section names of the single-service config, kept so an upgraded app renders what the running HAProxy has. */
export interface SingleServiceNames {
  frontend: string;
  backend: string;
  /** Section names the services may not take: the stats frontend's and the shared one's. */
  reserved: readonly string[];
}

/**
 * The services the options describe: `services`, or the single-service fields as one service. Throws an Error that
 * names the first problem and the field that has it.
 */
export function servicesIn(options: HaproxyConfigOptions, names: SingleServiceNames): ServiceRouting[] {
  if (options.services === undefined) return [singleService(options, names)];
  const single = (['frontendHost', 'frontendPort', 'healthPath', 'backendName', 'holdTimeoutS'] as const).filter((field) => options[field] !== undefined);
  if (single.length > 0) {
    throw new Error(`HAProxy config: give each service its own ${single.join(', ')} in services, not beside them`);
  }
  const services = options.services;
  if (services.length === 0 || services.length > MAX_SERVICES) {
    throw new Error(`HAProxy config: services must list between 1 and ${MAX_SERVICES} services, got ${services.length}`);
  }
  services.forEach((service, i) => checkService(service, `services[${i}]`, 'backend'));
  checkUnique(services.map((s) => s.backend), 'backend', names.reserved);
  checkUnique(services.map((s) => s.frontend), 'frontend', names.reserved);
  checkRoutes(services);
  return services;
}

function singleService(options: HaproxyConfigOptions, names: SingleServiceNames): ServiceRouting {
  for (const field of ['frontendHost', 'frontendPort', 'healthPath'] as const) {
    if (options[field] === undefined) throw new Error(`HAProxy config: ${field} is required when no services are given`);
  }
  const service: ServiceRouting = {
    backend: options.backendName ?? names.backend, frontend: names.frontend,
    frontendHost: options.frontendHost as string, frontendPort: options.frontendPort as number, healthPath: options.healthPath as string,
    ...(options.holdTimeoutS === undefined ? {} : { holdTimeoutS: options.holdTimeoutS }),
  };
  checkService(service, '', 'backendName');
  return service;
}

/** `where` prefixes the field names ("services[2]."); the single service's fields have their own names. */
function checkService(service: ServiceRouting, where: string, backendField: string): void {
  const field = (name: string) => (where === '' ? name : `${where}.${name}`);
  const label = (name: string) => (where === '' ? name : `${where} ("${service.backend}") ${name}`);
  if (service.frontendPort === 0 && service.route === undefined) {
    throw new Error(`HAProxy config: ${label('frontendPort')} is 0 (served only on the shared frontend), which needs a route`);
  }
  if (service.frontendPort !== 0 && !isPort(service.frontendPort)) {
    throw new Error(`HAProxy config: ${label('frontendPort')} must be 0 (served only on the shared frontend) or a port number between 1 and 65535, got ${service.frontendPort}`);
  }
  const healthPath = healthPathProblem(service.healthPath);
  if (healthPath !== undefined) throw new Error(`HAProxy config: ${label('healthPath')} ${healthPath}, got "${service.healthPath}"`);
  for (const [name, value] of [[backendField, service.backend], ['frontend', service.frontend]] as const) {
    if (typeof value !== 'string' || !NAME.test(value)) {
      throw new Error(`HAProxy config: ${field(name)} may contain only letters, digits, "_", ".", ":" and "-", got "${value}"`);
    }
    if (value.length > MAX_NAME_LENGTH) throw new Error(`HAProxy config: ${field(name)} must be ${MAX_NAME_LENGTH} characters or fewer, got "${value}"`);
  }
  const frontendHost = frontendHostProblem(service.frontendHost);
  if (frontendHost !== undefined) throw new Error(`HAProxy config: ${label('frontendHost')} ${frontendHost}, got "${service.frontendHost}"`);
  if (service.holdTimeoutS !== undefined && !(service.holdTimeoutS > 0 && Number.isFinite(service.holdTimeoutS))) {
    throw new Error(`HAProxy config: ${label('holdTimeoutS')} must be a positive number of seconds, got ${service.holdTimeoutS}`);
  }
  if (service.route !== undefined) checkRoute(service.route, label('route'));
}

function checkRoute(route: NonNullable<ServiceRouting['route']>, label: string): void {
  if (route.host === undefined && route.pathPrefix === undefined) {
    throw new Error(`HAProxy config: ${label} needs a host, a pathPrefix or both`);
  }
  if (route.host !== undefined && !ROUTE_HOST.test(route.host)) {
    throw new Error(`HAProxy config: ${label}.host must be a host name or IPv4 address (letters, digits, "." and "-"), got "${route.host}"`);
  }
  if (route.pathPrefix !== undefined) {
    const problem = healthPathProblem(route.pathPrefix);
    if (problem !== undefined) throw new Error(`HAProxy config: ${label}.pathPrefix ${problem.replace('health check path', 'path prefix')}, got "${route.pathPrefix}"`);
  }
}

function checkUnique(values: string[], field: string, reserved: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (reserved.includes(value)) throw new Error(`HAProxy config: ${field} "${value}" is a name ScaleDeck's own sections use; choose another`);
    if (seen.has(value)) throw new Error(`HAProxy config: two services have the ${field} "${value}"; each needs its own`);
    seen.add(value);
  }
}

function checkRoutes(services: ServiceRouting[]): void {
  const seen = new Map<string, string>();
  for (const { backend, route } of services) {
    if (route === undefined) continue;
    const key = `${route.host?.toLowerCase() ?? ''} ${route.pathPrefix ?? ''}`;
    const other = seen.get(key);
    if (other !== undefined) throw new Error(`HAProxy config: services "${other}" and "${backend}" have the same route; the second would never be reached`);
    seen.set(key, backend);
  }
}

interface Bind {
  /** Who binds it, for the message ("services[1].frontendPort"). */
  owner: string;
  host: string;
  port: number;
}

/** No two frontends on one address; the stats page's port is kept apart from every other, whatever its host. */
export function checkAddresses(options: HaproxyConfigOptions, services: ServiceRouting[]): void {
  const single = options.services === undefined;
  const owner = (i: number) => (single ? 'frontendPort' : `services[${i}].frontendPort`);
  const binds = services.flatMap((service, i) => (hasOwnFrontend(service) ? [{ owner: owner(i), host: service.frontendHost, port: service.frontendPort }] : []));
  const shared = options.sharedFrontend;
  const sharedOnly = services.findIndex((service) => !hasOwnFrontend(service));
  if (shared === undefined && sharedOnly >= 0) {
    throw new Error(`HAProxy config: ${owner(sharedOnly)} is 0 (served only on the shared frontend), but there is no sharedFrontend`);
  }
  if (shared !== undefined) {
    const host = frontendHostProblem(shared.host);
    if (host !== undefined) throw new Error(`HAProxy config: sharedFrontend.host ${host}, got "${shared.host}"`);
    if (!isPort(shared.port)) throw new Error(`HAProxy config: sharedFrontend.port must be a port number between 1 and 65535, got ${shared.port}`);
    binds.push({ owner: 'sharedFrontend.port', host: shared.host, port: shared.port });
  }
  for (const bind of binds) {
    if (bind.port === options.statsPort) throw new Error(`HAProxy config: ${bind.owner} and statsPort must differ (both are ${options.statsPort})`);
  }
  checkBinds(binds);
}

/** A service with frontendPort 0 has no frontend of its own: it is reached only by its route on the shared frontend. */
export function hasOwnFrontend(service: ServiceRouting): boolean {
  return service.frontendPort !== 0;
}

export function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/**
 * Throws when two frontends would bind the same address: the same port on the same host, or on a wildcard address
 * that covers the other's host.
 */
function checkBinds(binds: Bind[]): void {
  const wildcard = (host: string) => host === '0.0.0.0' || host === '::';
  const same = (a: string, b: string) => (a === 'localhost' ? '127.0.0.1' : a) === (b === 'localhost' ? '127.0.0.1' : b);
  binds.forEach((a, i) => {
    for (const b of binds.slice(i + 1)) {
      if (a.port === b.port && (same(a.host, b.host) || wildcard(a.host) || wildcard(b.host))) {
        throw new Error(`HAProxy config: ${a.owner} and ${b.owner} both bind ${b.host}:${b.port}; give each its own port`);
      }
    }
  });
}

/** The conditions of a service's route on the shared frontend, as named ACLs and the words that require them all. */
export function routeAcls(service: ServiceRouting): { acls: string[]; condition: string } | undefined {
  const route = service.route;
  if (route === undefined) return undefined;
  const acls: string[] = [];
  const names: string[] = [];
  if (route.host !== undefined) {
    // The Host header without its port, so example.com:8080 matches example.com.
    acls.push(`acl ${service.backend}_host req.hdr(host),lower,field(1,:) -m str ${route.host.toLowerCase()}`);
    names.push(`${service.backend}_host`);
  }
  if (route.pathPrefix !== undefined) {
    acls.push(`acl ${service.backend}_path path_beg ${route.pathPrefix}`);
    names.push(`${service.backend}_path`);
  }
  return { acls, condition: names.join(' ') };
}

/**
 * The routed services in the order the shared frontend tries them: the longest path prefix first, and a route with
 * a host before one without, so a narrower route is not hidden behind a wider one.
 */
export function routingOrder(services: ServiceRouting[]): ServiceRouting[] {
  const prefixLength = (s: ServiceRouting) => s.route?.pathPrefix?.length ?? 0;
  const hasHost = (s: ServiceRouting) => (s.route?.host === undefined ? 0 : 1);
  return services.filter((s) => s.route !== undefined).sort((a, b) => prefixLength(b) - prefixLength(a) || hasHost(b) - hasHost(a));
}
