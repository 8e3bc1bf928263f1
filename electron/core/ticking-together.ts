// A clock whose repeating timers of one period share one timer: every service's sampler, reconcile loop and waker tick
// at the same moment, so the HAProxy reads they all need are asked once per tick for all of them (shared-reads.ts).
import type { Cancel, Clock } from './clock.js';

export function tickingTogether(clock: Clock): Clock {
  const groups = new Map<number, { fns: Set<() => void>; cancel: Cancel }>();
  return {
    now: () => clock.now(),
    after: (ms, fn) => clock.after(ms, fn),
    every(ms, fn) {
      let group = groups.get(ms);
      if (!group) {
        const fns = new Set<() => void>();
        // A copy: a callback may cancel or add others; one cancelled meanwhile is skipped.
        const cancel = clock.every(ms, () => {
          for (const each of [...fns]) if (fns.has(each)) each();
        });
        group = { fns, cancel };
        groups.set(ms, group);
      }
      const joined = group;
      // Its own function: the same callback given twice is two timers, as with the clock underneath.
      const entry = () => fn();
      joined.fns.add(entry);
      return () => {
        if (!joined.fns.delete(entry) || joined.fns.size > 0) return;
        joined.cancel();
        if (groups.get(ms) === joined) groups.delete(ms);
      };
    },
  };
}
