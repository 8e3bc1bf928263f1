// The event stream: repeated errors told once and then summarised, snapshots coalesced, listeners isolated.
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../electron/contract/contract.js';
import { EventStream } from '../../../electron/core/event-stream.js';
import { FakeClock } from '../../support/fake-clock.js';

function stream() {
  const clock = new FakeClock();
  const lines: string[] = [];
  const events = new EventStream({ snapshot: () => ({}) as Snapshot, log: (line) => lines.push(line), clock });
  return { clock, lines, events };
}

describe('EventStream', () => {
  it('logs a repeated error once, then a summary every 2 minutes while it lasts', async () => {
    const { clock, lines, events } = stream();
    for (let i = 0; i <= 240; i++) {
      events.event('error', `Could not start a replica: image scaledeck/api:latest not found (next try in ${Math.min(30, 2 ** i)} s)`);
      await clock.advance(500);
    }
    expect(lines).toEqual([
      '[error] Could not start a replica: image scaledeck/api:latest not found (next try in 1 s)',
      '[error] still failing after 2 min, 241 tries: Could not start a replica: image scaledeck/api:latest not found (next try in 30 s)',
    ]);
  });

  it('tells another error at once, and the same one again after it had stopped for a minute', async () => {
    const { clock, lines, events } = stream();
    events.event('error', 'HAProxy did not answer');
    events.event('error', 'HAProxy did not answer');
    events.event('error', 'Docker did not answer');
    events.event('info', 'ScaleDeck starting');
    await clock.advance(61_000);
    events.event('error', 'Docker did not answer');
    expect(lines).toEqual(['[error] HAProxy did not answer', '[error] Docker did not answer', '[info] ScaleDeck starting', '[error] Docker did not answer']);
  });

  it('keeps streaming to the other listeners when one throws', () => {
    const { events } = stream();
    const seen: string[] = [];
    events.subscribe(() => {
      throw new Error('closed socket');
    });
    events.subscribe((m) => seen.push(m.type));
    events.event('info', 'hello');
    expect(seen).toEqual(['event']);
  });
});
