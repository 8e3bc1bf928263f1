// Where the benchmark finds the built shell and api, and where it writes its results (from dist/test/bench/).
import { fileURLToPath } from 'node:url';

const fromBuild = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export const benchPaths = {
  repoRoot: fromBuild('../../../'),
  serverJs: fromBuild('../../electron/shells/headless/server.js'),
  apiServerJs: fromBuild('../../api/server.js'),
  rendererIndex: fromBuild('../../renderer/index.html'),
  results: fromBuild('../../../test/bench/results/'),
};
