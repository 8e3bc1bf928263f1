// What the Docker-based drivers share: the app-name rule, the engine's errors in a person's words, and the
// stop that treats "already stopped" and "already gone" as done.
import type Dockerode from 'dockerode';

/** The app name goes into labels and container names, so it is kept to what both accept. */
export function assertAppName(app: string): void {
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/i.test(app)) {
    throw new Error(`app name "${app}" must be 1-31 letters, digits or '-', starting with a letter or digit`);
  }
}

export function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** The engine's own words, without dockerode's "(HTTP code 500) server error - " prefix. */
export function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].replace(/^\(HTTP code \d+\) [a-z ]+- /, '').trim();
}

/** SIGTERM with `graceS`, then SIGKILL; a container already stopped (304) or gone (404) counts as stopped. */
export async function stopContainer(container: Dockerode.Container, graceS: number, what: string): Promise<void> {
  try {
    await container.stop({ t: Math.max(0, Math.ceil(graceS)) });
  } catch (error) {
    if (statusCode(error) !== 304 && statusCode(error) !== 404) throw new Error(`could not stop ${what}: ${message(error)}`);
  }
}
