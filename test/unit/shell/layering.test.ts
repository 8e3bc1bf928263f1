// The lint rule that keeps the parts' arrows one way: a wrong-way import fails `npm run lint`.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'scaledeck/layering').map((m) => m.message);
}

describe('layering', () => {
  it.each([
    ['electron/core/x.ts', "import { dispatchCommand } from '../shells/common/dispatch.js';", 'core may not import shell'],
    ['electron/core/replicas/x.ts', "import { startServer } from '../../shells/headless/headless-server.js';", 'core may not import shell'],
    ['electron/core/x.ts', "import { app } from 'electron';", "core may not import 'electron'"],
    ['electron/core/x.ts', "import { App } from '../../renderer/app.js';", 'core may not import renderer'],
    ['haproxy/x.ts', "import { Controller } from '../electron/core/service/controller.js';", 'haproxy may not import core-service'],
    ['electron/contract/contract.ts', "import type { Controller } from '../core/service/controller.js';", 'contract may not import core-service'],
    // One service's parts never reach up into the app around them; what both use never reaches into either.
    ['electron/core/service/x.ts', "import { ScaleDeckControlPlane } from '../control-plane.js';", 'core-service may not import core-app'],
    ['electron/core/metrics/x.ts', "import { Controller } from '../service/controller.js';", 'core may not import core-service'],
    ['electron/core/x.ts', "import { createControlPlane } from './compose-control-plane.js';", 'core may not import core-app'],
    ['electron/shells/headless/x.ts', "import { Controller } from '../../core/service/controller.js';", 'shell may not import core-service'],
    ['electron/contract/settings-schema.ts', "import type { HeadlessTarget } from '../shells/headless/headless-server.js';", 'contract may not import shell'],
    ['renderer/x.ts', "import { decide } from '../electron/core/policy.js';", 'renderer may not import core'],
    ['renderer/x.ts', "export { main } from '../electron/shells/desktop/main.js';", 'renderer may not import shell'],
    ['api/x.ts', "import { renderHaproxyConfig } from '../haproxy/config.js';", 'api may not import haproxy'],
    ['electron/contract/settings-schema.ts', "import { renderHaproxyConfig } from '../../haproxy/config.js';", 'contract may not import haproxy'],
    ['haproxy/config-values.ts', "import { socketPath } from './config.js';", 'haproxy-values may not import haproxy'],
    ['electron/shells/desktop/x.ts', "import { app } from 'electron';\nimport { renderHaproxyConfig } from '../../../renderer/app.js';", 'shell may not import renderer'],
    // The folders are the parts: a file left loose under electron/ belongs to none and is named, whatever it imports.
    ['electron/loose.ts', "export const x = 1;", 'belongs to no part'],
  ])('refuses in %s: %s', async (file, code, message) => {
    const errors = await layeringErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });

  it.each([
    ['electron/core/x.ts', "import type { Snapshot } from '../contract/contract.js';"],
    ['electron/core/x.ts', "import { HaproxySupervisor } from '../../haproxy/supervisor.js';"],
    ['electron/shells/desktop/main.ts', "import { app } from 'electron';"],
    ['electron/shells/headless/server.ts', "import { createControlPlane } from '../../core/control-plane.js';"],
    ['electron/core/control-plane.ts', "import { ServiceRuntime } from './service/service-runtime.js';"],
    ['electron/core/service/controller.ts', "import { SettingsStore } from '../settings-store.js';"],
    ['electron/shells/headless/server.ts', "import { dispatchCommand } from '../common/dispatch.js';"],
    ['renderer/x.ts', "import type { Settings } from '../electron/contract/contract.js';"],
    ['renderer/x.ts', "import type { Settings } from '../electron/contract/settings-schema.js';"],
    ['electron/contract/settings-schema.ts', "import { healthPathProblem } from '../../haproxy/config-values.js';"],
    ['haproxy/config.ts', "import { healthPathProblem } from './config-values.js';"],
    ['test/unit/x.test.ts', "import { main } from '../../electron/shells/desktop/main.js';"],
  ])('allows in %s: %s', async (file, code) => {
    expect(await layeringErrors(file, code)).toEqual([]);
  });
});
