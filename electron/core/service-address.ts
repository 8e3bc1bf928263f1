// Where a service is reached: its own frontend, or (frontendPort 0) its route on the shared frontend; as a URL to show,
// and as what the load generator connects to.
import type { Settings } from '../contract/settings-schema.js';

type AddressSettings = Pick<Settings, 'frontendHost' | 'frontendPort' | 'sharedFrontendHost' | 'sharedFrontendPort' | 'routeHost' | 'routePathPrefix'>;

/** A host a browser or load tool on this machine can connect to for a bind address (0.0.0.0 means "all", so loopback). */
function reachableHost(host: string): string {
  const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return target.includes(':') ? `[${target}]` : target;
}

export function reachableUrl(host: string, port: number): string {
  return `http://${reachableHost(host)}:${port}/`;
}

export const servedOnlyShared = (settings: Pick<Settings, 'frontendPort'>): boolean => settings.frontendPort === 0;

/**
 * The URL a person uses for the service. Served only on the shared frontend, it carries the route: its host name (which
 * their DNS or hosts file must point at this machine) and its path prefix.
 */
export function frontendUrlOf(settings: AddressSettings): string {
  if (!servedOnlyShared(settings)) return reachableUrl(settings.frontendHost, settings.frontendPort);
  const host = settings.routeHost === '' ? reachableHost(settings.sharedFrontendHost) : settings.routeHost;
  return `http://${host}:${settings.sharedFrontendPort}${settings.routePathPrefix === '' ? '/' : settings.routePathPrefix}`;
}

/** What a load run connects to: always this machine's own address, with the route's Host header when it has one. */
export interface LoadAddress {
  /** The origin a run's path is taken on, e.g. http://127.0.0.1:8080/. */
  frontend: string;
  /** The Host header the route needs; absent when the service needs none. */
  host?: string;
}

export function loadAddressOf(settings: AddressSettings): LoadAddress {
  if (!servedOnlyShared(settings)) return { frontend: reachableUrl(settings.frontendHost, settings.frontendPort) };
  return { frontend: reachableUrl(settings.sharedFrontendHost, settings.sharedFrontendPort), ...(settings.routeHost === '' ? {} : { host: settings.routeHost }) };
}

/** A run's path on the service: for one served only under a path prefix, under that prefix (unless the path is already). */
export function loadPathOf(settings: AddressSettings, path = '/'): string {
  const prefix = servedOnlyShared(settings) ? settings.routePathPrefix.replace(/\/$/, '') : '';
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`) ? path : `${prefix}${path}`;
}
