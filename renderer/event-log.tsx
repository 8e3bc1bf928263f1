// What the control plane did and why, newest first.
import { memo } from 'react';
import type { ControlEvent } from '../electron/contract.js';
import { formatClock } from './format.js';

/** The list scrolls, so it takes the keyboard focus: a keyboard user can scroll it too. */
export const EventLog = memo(function EventLog({ events }: { events: ControlEvent[] }) {
  const newestFirst = [...events].reverse();
  return (
    <section className="card event-log" aria-labelledby="event-log-title">
      <h2 id="event-log-title">Events</h2>
      {newestFirst.length === 0 ? (
        <p className="empty">Nothing has happened yet.</p>
      ) : (
        <ol className="events" aria-label="Events, newest first" tabIndex={0}>
          {newestFirst.map((event) => (
            <li key={`${event.at}-${event.kind}-${event.message}`} className={`event kind-${event.kind}`}>
              <time dateTime={new Date(event.at).toISOString()}>{formatClock(event.at)}</time>
              <span className="kind">{event.kind}</span>
              <span className="message">{event.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
});
