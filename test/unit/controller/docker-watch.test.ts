import { describe, expect, it } from 'vitest';
import { DockerWatch } from '../../../electron/core/docker-watch.js';
import { FakeClock, flush } from '../../support/fake-clock.js';

function watchWith(matters: () => boolean) {
  let asked = 0;
  let reachable = true;
  const events: string[] = [];
  const watch = new DockerWatch(
    { status: async () => { asked += 1; return reachable ? { reachable: true, version: '27.0' } : { reachable: false, version: null, error: 'no answer' }; } },
    (kind, message) => events.push(`${kind}: ${message}`),
    () => undefined,
    matters,
  );
  return { watch, events, asked: () => asked, goAway: () => { reachable = false; } };
}

describe('DockerWatch', () => {
  it('asks the engine every 2 s while replicas depend on it, and says when it stops answering', async () => {
    const clock = new FakeClock();
    const { watch, events, asked, goAway } = watchWith(() => true);
    await watch.refresh();
    watch.start(clock);
    await clock.advance(10_000);
    await flush();
    expect(asked()).toBe(1 + 5);
    goAway();
    await clock.advance(2_000);
    await flush();
    expect(watch.state.reachable).toBe(false);
    expect(events.at(-1)).toMatch(/^docker: The Docker engine stopped answering \(no answer\)/);
    watch.stop();
  });

  it('asks only every 30 s with process replicas, which never act on the answer, and again every 2 s once they would', async () => {
    const clock = new FakeClock();
    let docker = false;
    const { watch, asked } = watchWith(() => docker);
    watch.start(clock);
    await clock.advance(60_000);
    await flush();
    // The first tick asks (nothing asked yet), then one every 30 s.
    expect(asked()).toBe(2);
    docker = true;
    await clock.advance(4_000);
    await flush();
    expect(asked()).toBe(4);
    watch.stop();
  });
});
