// The environment a process replica starts with: what a Node server needs to run, and nothing of the app's own.

/** Passed through from the app's environment: finding programs, the user's home, locale, time zone, temp folders. */
const INHERITED = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'TEMP', 'TMP', 'SystemRoot', 'USERPROFILE', 'APPDATA'] as const;

/**
 * A replica runs the user's service, not ScaleDeck: it must not see the dashboard token, a Docker endpoint or
 * anything else the app was started with, so it gets an allow-list plus its own variables.
 */
export function replicaEnvironment(parent: NodeJS.ProcessEnv, own: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED) {
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...own };
}
