// What the control plane did and why, newest first; what the policy held back for, collapsed, behind a toggle.
import { memo, useId, useState } from 'react';
import type { ControlEvent } from '../electron/contract/contract.js';
import { formatClock } from './format.js';

export interface EventRow {
  event: ControlEvent;
  /** How many consecutive identical holds this row stands for (1 for every other event). */
  repeats: number;
}

/** "held 14 s: scale-down cooldown 30 s, 16 s left" holds for "scale-down cooldown 30 s, 16 s left". */
const holdReason = (message: string): string => message.replace(/^held [\d.]+ s: /, '');

/** Consecutive holds for the same reason make one row, the newest, counting the others; `events` is newest first. */
export function collapseHolds(events: readonly ControlEvent[], showHolds: boolean): EventRow[] {
  const rows: EventRow[] = [];
  for (const event of events) {
    if (event.kind === 'hold') {
      if (!showHolds) continue;
      const previous = rows.at(-1);
      if (previous?.event.kind === 'hold' && holdReason(previous.event.message) === holdReason(event.message)) {
        previous.repeats += 1;
        continue;
      }
    }
    rows.push({ event, repeats: 1 });
  }
  return rows;
}

/** The list scrolls, so it takes the keyboard focus: a keyboard user can scroll it too. */
export const EventLog = memo(function EventLog({ events }: { events: ControlEvent[] }) {
  const toggleId = useId();
  const [showHolds, setShowHolds] = useState(true);
  const rows = collapseHolds([...events].reverse(), showHolds);
  return (
    <section className="card event-log" aria-labelledby="event-log-title">
      <div className="event-log-head">
        <h2 id="event-log-title">Events</h2>
        <label htmlFor={toggleId} className="toggle">
          <input id={toggleId} type="checkbox" checked={showHolds} onChange={(event) => setShowHolds(event.currentTarget.checked)} />
          Show holds
        </label>
      </div>
      {rows.length === 0 ? (
        <p className="empty">Nothing has happened yet.</p>
      ) : (
        <ol className="events" aria-label="Events, newest first" tabIndex={0}>
          {rows.map(({ event, repeats }) => (
            <li key={`${event.at}-${event.kind}-${event.message}`} className={`event kind-${event.kind}`}>
              <time dateTime={new Date(event.at).toISOString()}>{formatClock(event.at)}</time>
              <span className="kind">{event.kind}</span>
              <span className="message">
                {event.message}
                {repeats > 1 && <span className="repeats"> ({repeats} times)</span>}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
});
