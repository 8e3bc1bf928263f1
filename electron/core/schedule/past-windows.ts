// The schedule windows of the past days, read back from the event log: each window's "opened" line starts a span
// and its "closed" line ends it, so the chart shades what the windows really did, also across a restart.
import type { ControlEvent, ScheduleWindowView } from '../../contract/contract.js';

// The lines schedule-range.ts writes, as a scale reason ("2 -> 4: schedule ...") or a schedule event.
const WINDOW_LINE = /^(?:\d+ -> \d+: )?schedule "([^"]+)" (opened|closed) \(/;

/** Spans from the first "opened" of a window to its next "closed", oldest first; a window still open is left out. */
export function windowsFromEvents(events: readonly ControlEvent[]): ScheduleWindowView[] {
  const opened = new Map<string, number>();
  const spans: ScheduleWindowView[] = [];
  for (const event of [...events].sort((a, b) => a.at - b.at)) {
    if (event.kind !== 'scale' && event.kind !== 'schedule') continue;
    const match = WINDOW_LINE.exec(event.message);
    if (!match) continue;
    const [, name, edge] = match as unknown as [string, string, string];
    if (edge === 'opened') {
      // A restart announces a window that is still open again: the first opening is when it began.
      if (!opened.has(name)) opened.set(name, event.at);
    } else {
      const start = opened.get(name);
      opened.delete(name);
      if (start !== undefined) spans.push({ name, start, end: event.at });
    }
  }
  return spans;
}
