// Whether a replica answers its health URL: one probe, and the wait until it does.
import { pollUntil, systemClock, type Clock } from './clock.js';

/** Asks a health URL until it answers 2xx. */
export function waitForHealth(
  url: string,
  timeoutMs: number,
  { clock = systemClock, probe = probeHealth, cancelled }: { clock?: Clock; probe?: (url: string) => Promise<string | null>; cancelled?: () => boolean } = {},
): Promise<void> {
  return pollUntil(clock, async () => {
    const problem = await probe(url);
    return problem === null ? { done: undefined } : { waiting: problem };
  }, { timeoutMs, intervalMs: 50, cancelled, describe: (last) => `it did not answer ${url} within ${timeoutMs / 1000} s (${last})` });
}

/** Asks a health URL once: null when it answered 2xx, else what went wrong. */
export async function probeHealth(url: string): Promise<string | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok ? null : `HTTP ${response.status}`;
  } catch (error) {
    return (error as Error).message;
  }
}
