// Specification of the queue that runs settings updates one at a time.
import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../../electron/core/serial-queue.js';

/** A promise the test resolves by hand, so the order of events is set by the test, not by timing. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('SerialQueue', () => {
  it('starts a piece of work only after the one before it has finished', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const first = gate();
    const a = queue.run(async () => {
      log.push('a starts');
      await first.promise;
      log.push('a ends');
      return 'a';
    });
    const b = queue.run(async () => {
      log.push('b starts');
      return 'b';
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['a starts']);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(log).toEqual(['a starts', 'a ends', 'b starts']);
  });

  it('answers a failure to its own caller and still runs what comes next', async () => {
    const queue = new SerialQueue();
    const failed = queue.run(async () => {
      throw new Error('refused');
    });
    const next = queue.run(async () => 'ran');
    await expect(failed).rejects.toThrow('refused');
    expect(await next).toBe('ran');
  });
});
