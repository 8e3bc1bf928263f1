// Specification of the clock on which every service's loops tick at the same moment.
import { describe, expect, it } from 'vitest';
import { tickingTogether } from '../../../electron/core/ticking-together.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('tickingTogether', () => {
  it('runs every callback of one period on one timer, in the order they joined', async () => {
    const base = new FakeClock();
    const clock = tickingTogether(base);
    const ran: string[] = [];
    clock.every(1000, () => ran.push('a'));
    await base.advance(400);
    clock.every(1000, () => ran.push('b'));
    clock.every(500, () => ran.push('fast'));
    expect(base.pending).toBe(2);
    await base.advance(600);
    expect(ran).toEqual(['fast', 'a', 'b']);
    await base.advance(1000);
    expect(ran).toEqual(['fast', 'a', 'b', 'fast', 'fast', 'a', 'b']);
  });

  it('stops the shared timer with its last callback, and skips one cancelled during a tick', async () => {
    const base = new FakeClock();
    const clock = tickingTogether(base);
    const ran: string[] = [];
    let cancelB = () => {};
    const cancelA = clock.every(1000, () => {
      ran.push('a');
      cancelB();
    });
    cancelB = clock.every(1000, () => ran.push('b'));
    await base.advance(1000);
    expect(ran).toEqual(['a']);
    cancelA();
    cancelA();
    expect(base.pending).toBe(0);
    clock.every(1000, () => ran.push('c'));
    await base.advance(1000);
    expect(ran).toEqual(['a', 'c']);
  });
});
