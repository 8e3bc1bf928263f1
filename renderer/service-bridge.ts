// The bridge as one service's cockpit sees it: every per-service command names that service; the rest pass through.
import type { ScaleDeckApi, ServiceCommandName } from '../electron/contract/contract.js';

/**
 * Wraps `api` so that the commands acting on one service carry `service`. Typed by ServiceCommandName, so a new
 * per-service command in the contract does not compile here until it is named too.
 */
export function serviceBridge(api: ScaleDeckApi, service: string): ScaleDeckApi {
  const named: Pick<ScaleDeckApi, ServiceCommandName> = {
    getHistory: (input) => api.getHistory({ ...input, service }),
    getForecast: (input) => api.getForecast({ ...input, service }),
    whatIf: (input) => api.whatIf({ ...input, service }),
    updateSettings: (patch) => api.updateSettings({ ...patch, service }),
    scale: (input) => api.scale({ ...input, service }),
    setMode: (input) => api.setMode({ ...input, service }),
    removeReplica: (input) => api.removeReplica({ ...input, service }),
    startLoad: (input) => api.startLoad({ ...input, service }),
    rollback: (input) => api.rollback({ ...input, service }),
    retryRollout: (input) => api.retryRollout({ ...input, service }),
  };
  return {
    getSnapshot: () => api.getSnapshot(),
    getServices: () => api.getServices(),
    addService: (input) => api.addService(input),
    removeService: (input) => api.removeService(input),
    planCompose: (input) => api.planCompose(input),
    applyCompose: (input) => api.applyCompose(input),
    getComposeProjects: () => api.getComposeProjects(),
    removeCompose: (input) => api.removeCompose(input),
    stopLoad: () => api.stopLoad(),
    buildImage: () => api.buildImage(),
    recheck: () => api.recheck(),
    subscribe: (listener) => api.subscribe(listener),
    ...named,
  };
}
