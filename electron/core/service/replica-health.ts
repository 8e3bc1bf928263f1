// Whether a replica answers its health URL: one probe, and the wait until it does.
import { pollUntil, systemClock, type Clock } from '../clock.js';

/**
 * A replica usually answers within a second of its start: asked every 10 ms then, a scale-out waits for it about as
 * long as the engine takes, not half a poll more; a slower one is asked every 50 ms.
 */
export function healthPollIntervalMs(waitedMs: number): number {
  return waitedMs < 2_000 ? 10 : 50;
}

/** Asks a health URL until it answers 2xx. */
export function waitForHealth(
  url: string,
  timeoutMs: number,
  { clock = systemClock, probe = probeHealth, cancelled }: { clock?: Clock; probe?: (url: string) => Promise<string | null>; cancelled?: () => boolean } = {},
): Promise<void> {
  return pollUntil(clock, async () => {
    const problem = await probe(url);
    return problem === null ? { done: undefined } : { waiting: problem };
  }, { timeoutMs, intervalMs: healthPollIntervalMs, cancelled, describe: (last) => `it did not answer ${url} within ${timeoutMs / 1000} s (${last})` });
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
