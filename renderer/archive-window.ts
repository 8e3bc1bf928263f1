// Keeps a long window's history (6 h, 24 h, 7 d) read from disk: at once when it is picked, then at a slow rate.
import type { ScaleDeckApi } from '../electron/contract/contract.js';
import { isArchiveWindow, publishEveryMs, type HistoryFeed } from './history-feed.js';

/** A long window moves by less than a pixel between reads: 30 s for 6 h, 2 min for 24 h, 14 min for 7 d. */
export const archiveRefreshMs = (windowS: number): number => Math.max(30_000, publishEveryMs(windowS));

export interface ArchiveTimers {
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const realTimers: ArchiveTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Follows the picked window; answers the function that stops it. An answer for a window no longer picked is dropped. */
export function followArchiveWindow(
  api: Pick<ScaleDeckApi, 'getHistory'>,
  feed: HistoryFeed,
  now: () => number = Date.now,
  timers: ArchiveTimers = realTimers,
): () => void {
  let timer: unknown = null;
  let generation = 0;
  let stopped = false;

  const read = (windowS: number, forGeneration: number) => {
    const toMs = Math.floor(now());
    void api.getHistory({ fromMs: Math.max(0, toMs - windowS * 1000), toMs }).then((answer) => {
      if (stopped || forGeneration !== generation) return;
      if ('result' in answer) feed.loadArchive(answer.result);
      timer = timers.setTimeout(() => read(windowS, forGeneration), archiveRefreshMs(windowS));
    });
  };

  const follow = () => {
    generation += 1;
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    const windowS = feed.windowS.get();
    if (isArchiveWindow(windowS)) read(windowS, generation);
  };

  const unsubscribe = feed.windowS.subscribe(follow);
  follow();
  return () => {
    stopped = true;
    unsubscribe();
    if (timer !== null) timers.clearTimeout(timer);
  };
}
