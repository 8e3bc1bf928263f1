import { describe, expect, it } from 'vitest';
import { WakeOnRequest } from '../../../electron/core/service/wake-on-request.js';
import { FakeClock, flush } from '../../support/fake-clock.js';

describe('WakeOnRequest', () => {
  function setUp() {
    const clock = new FakeClock();
    const state = { desired: 2, mode: 'auto' as 'auto' | 'manual', held: 0, asked: 0, woken: [] as number[] };
    const waker = new WakeOnRequest({
      clock,
      heldRequests: async () => { state.asked += 1; return state.held; },
      desired: () => state.desired,
      mode: () => state.mode,
      wake: (held) => { state.woken.push(held); state.desired = 1; waker.follow(); },
    });
    return { clock, state, waker };
  }

  it('asks HAProxy only while the count is 0 in auto mode, and wakes one replica for held requests', async () => {
    const { clock, state, waker } = setUp();
    waker.start();
    await clock.advance(1_000);
    expect(waker.watching).toBe(false);
    expect(state.asked).toBe(0);

    state.desired = 0;
    waker.follow();
    expect(waker.watching).toBe(true);
    await clock.advance(200);
    await flush();
    expect(state.asked).toBe(4);

    state.held = 3;
    await clock.advance(50);
    await flush();
    expect(state.woken).toEqual([3]);
    expect(waker.watching).toBe(false);
    const asked = state.asked;
    await clock.advance(1_000);
    expect(state.asked).toBe(asked);
  });

  it('stops asking in manual mode and when stopped, and does not ask before it is started', async () => {
    const { clock, state, waker } = setUp();
    state.desired = 0;
    waker.follow();
    expect(waker.watching).toBe(false);
    waker.start();
    expect(waker.watching).toBe(true);
    state.mode = 'manual';
    waker.follow();
    expect(waker.watching).toBe(false);
    state.mode = 'auto';
    waker.follow();
    waker.stop();
    expect(waker.watching).toBe(false);
    expect(clock.pending).toBe(0);
  });
});
