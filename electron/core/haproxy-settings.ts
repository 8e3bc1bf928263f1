// The settings that shape HAProxy's config: rendering them, and asking HAProxy to accept them before they are saved.
import { closingAclPath, healthPathMapPath, renderHaproxyConfig, requestLogSampleAclPath, type ConfiguredServer } from '../../haproxy/config.js';
import type { RequestLogTarget } from '../../haproxy/request-log.js';
import { SettingsError, type Settings } from '../contract/settings-schema.js';
import type { HaproxyProcess } from './control-plane-parts.js';
import { BACKEND_NAME } from './service/haproxy-backend.js';
import { servicePlaces } from './service/compose-service.js';
import { HAPROXY_FIELDS } from './settings-reactions.js';

export function haproxyConfigFor(dataDir: string, settings: Settings, servers: ConfiguredServer[] = [], requestLog?: RequestLogTarget): string {
  return renderHaproxyConfig({
    dataDir, ...settings, backendName: BACKEND_NAME, servers, healthPathMap: healthPathMapPath(dataDir), closingAcl: closingAclPath(dataDir),
    requestLog: requestLog && { ...requestLog, sampleAcl: requestLogSampleAclPath(dataDir) },
  });
}

/** The config of every service behind the one HAProxy: each its frontend and backend, the servers in theirs. */
export function haproxyConfigForServices(dataDir: string, services: readonly { name: string; settings: Settings; relaySocket?: string }[], servers: ConfiguredServer[] = [], requestLog?: RequestLogTarget): string {
  const [first] = services;
  if (!first) throw new Error('HAProxy config: there is no service to serve');
  return renderHaproxyConfig({
    dataDir, statsPort: first.settings.statsPort, servers, healthPathMap: healthPathMapPath(dataDir), closingAcl: closingAclPath(dataDir),
    requestLog: requestLog && { ...requestLog, sampleAcl: requestLogSampleAclPath(dataDir) },
    services: services.map(({ name, settings, relaySocket }) => {
      const { backend, frontend } = servicePlaces(dataDir, name);
      const route = { ...(settings.routeHost ? { host: settings.routeHost } : {}), ...(settings.routePathPrefix ? { pathPrefix: settings.routePathPrefix } : {}) };
      return {
        backend, frontend, frontendHost: settings.frontendHost, frontendPort: settings.frontendPort, healthPath: settings.healthPath, holdTimeoutS: settings.holdTimeoutS,
        ...(Object.keys(route).length > 0 ? { route } : {}),
        ...(relaySocket ? { relaySocket } : {}),
      };
    }),
    ...(first.settings.sharedFrontendPort > 0 ? { sharedFrontend: { host: first.settings.sharedFrontendHost, port: first.settings.sharedFrontendPort } } : {}),
  });
}

/**
 * Renders `next` and has haproxy check it (`haproxy -c`) while the running one keeps serving; the refusal names the
 * first HAProxy setting that changed, since that is the one the person just set.
 */
export async function haproxyRefusal(haproxy: Pick<HaproxyProcess, 'checkConfig'>, render: (next: Settings) => string, before: Settings, next: Settings): Promise<SettingsError | undefined> {
  const field = HAPROXY_FIELDS.find((key) => before[key] !== next[key]);
  if (field === undefined) return undefined;
  try {
    await haproxy.checkConfig(render(next));
    return undefined;
  } catch (error) {
    return new SettingsError(field, (error as Error).message);
  }
}
