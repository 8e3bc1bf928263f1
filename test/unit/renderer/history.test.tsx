// The chart history: ring buffer bounds and order, reading a window in place, publishing at a fixed rate.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HistoryBuffer } from '../../../renderer/history-buffer.js';
import type { HistoryInput, Sample } from '../../../electron/contract/contract.js';
import { archiveRefreshMs, followArchiveWindow, type ArchiveTimers } from '../../../renderer/archive-window.js';
import { LiveFrame } from '../../../renderer/live-frame.js';
import { HistoryFeed, TIME_WINDOWS_S } from '../../../renderer/history-feed.js';
import { ServiceSamples } from '../../../renderer/service-samples.js';
import { FakeBridge, makeSample, T0 } from './fake-bridge.js';

const seconds = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => makeSample(T0 + (from + i) * 1000, { hostCpu: from + i }));

describe('history buffer', () => {
  it('holds at most its capacity, dropping the oldest samples first', () => {
    const buffer = new HistoryBuffer(5);
    for (const sample of seconds(0, 8)) buffer.push(sample);
    expect(buffer.size).toBe(5);
    expect(buffer.toArray().map((sample) => sample.hostCpu)).toEqual([3, 4, 5, 6, 7]);
    expect(buffer.latest()?.hostCpu).toBe(7);
  });

  it('defaults to an hour of one-second samples', () => {
    const buffer = new HistoryBuffer();
    for (const sample of seconds(0, 4000)) buffer.push(sample);
    expect(buffer.capacity).toBe(3600);
    expect(buffer.size).toBe(3600);
    expect(buffer.toArray()[0]?.hostCpu).toBe(400);
  });

  it('ignores a sample that is not newer than the latest (the same sample by stream and by snapshot)', () => {
    const buffer = new HistoryBuffer(5);
    const [a, b] = seconds(0, 2);
    expect(buffer.push(a!)).toBe(true);
    expect(buffer.push(b!)).toBe(true);
    expect(buffer.push(b!)).toBe(false);
    expect(buffer.push(a!)).toBe(false);
    expect(buffer.size).toBe(2);
  });

  it('finds the first sample of a window by time, reading in place across the wrap of the ring', () => {
    const buffer = new HistoryBuffer(5);
    for (const sample of seconds(0, 8)) buffer.push(sample);
    const first = buffer.firstIndexAtOrAfter(T0 + 5000);
    expect(first).toBe(2);
    expect(buffer.at(first).hostCpu).toBe(5);
    expect(buffer.firstIndexAtOrAfter(T0 + 4500)).toBe(2);
    expect(buffer.firstIndexAtOrAfter(T0)).toBe(0);
    expect(buffer.firstIndexAtOrAfter(T0 + 60_000)).toBe(buffer.size);
  });

  it('replaces its contents with a history, keeping only the newest capacity', () => {
    const buffer = new HistoryBuffer(3);
    buffer.push(makeSample(T0 + 99_000));
    buffer.replace(seconds(0, 5));
    expect(buffer.toArray().map((sample) => sample.hostCpu)).toEqual([2, 3, 4]);
  });

  it('rejects a capacity that cannot hold a sample', () => {
    expect(() => new HistoryBuffer(0)).toThrow(/capacity/);
  });
});

describe('history feed', () => {
  it('publishes new samples at its own rate, not on every sample', () => {
    const feed = new HistoryFeed(() => T0);
    feed.load(seconds(0, 3));
    const published = feed.view.get();
    feed.add(makeSample(T0 + 3000));
    expect(feed.view.get()).toBe(published);
    feed.publish();
    expect(feed.view.get()).not.toBe(published);
    expect(feed.view.get().latest?.at).toBe(T0 + 3000);
  });

  it('shows the chosen time window ending at the latest sample', () => {
    const feed = new HistoryFeed(() => T0);
    feed.load(seconds(0, 3600));
    feed.setWindow(60);
    let view = feed.view.get();
    expect(view.end).toBe(T0 + 3599_000);
    expect(view.start).toBe(view.end - 60_000);
    expect(feed.buffer.size - feed.buffer.firstIndexAtOrAfter(view.start)).toBe(61);
    feed.setWindow(3600);
    view = feed.view.get();
    expect(view.start).toBe(view.end - 3_600_000);
    expect(view.latest?.at).toBe(T0 + 3599_000);
  });

  it('keeps samples streamed while the history was being read', () => {
    const feed = new HistoryFeed(() => T0);
    feed.add(makeSample(T0 + 5000, { hostCpu: 99 }));
    feed.load(seconds(0, 5));
    expect(feed.buffer.toArray().map((sample) => sample.hostCpu)).toEqual([0, 1, 2, 3, 4, 99]);
  });
});

describe('history feed publishing rate', () => {
  /** A feed on a clock the test moves, with the publish timer driven by vitest's fake timers. */
  function running(windowS: 60 | 300 | 900 | 3600, hidden = () => false) {
    vi.useFakeTimers({ now: T0 });
    const feed = new HistoryFeed(() => Date.now());
    feed.setWindow(windowS);
    let publishes = 0;
    feed.view.subscribe(() => (publishes += 1));
    const stop = feed.start(1000, hidden);
    const tick = (seconds: number) => {
      for (let i = 0; i < seconds; i++) {
        feed.add(makeSample(Date.now()));
        vi.advanceTimersByTime(1000);
      }
    };
    return { tick, publishes: () => publishes, stop };
  }
  afterEach(() => vi.useRealTimers());

  it('redraws every second for windows up to 5 minutes', () => {
    const feed = running(300);
    feed.tick(10);
    feed.stop();
    expect(feed.publishes()).toBe(10);
  });

  it('redraws the 1 hour window every 5 seconds', () => {
    const feed = running(3600);
    feed.tick(20);
    feed.stop();
    expect(feed.publishes()).toBe(4);
  });

  it('draws nothing while the page is hidden', () => {
    let hidden = true;
    const feed = running(300, () => hidden);
    feed.tick(5);
    expect(feed.publishes()).toBe(0);
    hidden = false;
    feed.tick(1);
    feed.stop();
    expect(feed.publishes()).toBe(1);
  });
});

describe('the page clock', () => {
  afterEach(() => vi.useRealTimers());

  it('ticks every second half a beat after the publish, so clock texts and charts never share a frame', () => {
    vi.useFakeTimers({ now: T0 });
    const frames: string[] = [];
    const frameFor = (what: string) => (run: () => void) => {
      frames.push(`${what} at ${Date.now() - T0}`);
      run();
    };
    const feed = new HistoryFeed(() => Date.now(), new LiveFrame(frameFor('charts')), frameFor('clock'));
    const stopFollowing = feed.clock.add(() => undefined);
    frames.length = 0;
    const stop = feed.start(1000, () => false);
    for (let i = 0; i < 3; i++) {
      feed.add(makeSample(Date.now()));
      vi.advanceTimersByTime(1000);
    }
    stop();
    stopFollowing();
    vi.advanceTimersByTime(5000);
    expect(frames).toEqual(['charts at 1000', 'clock at 1500', 'charts at 2000', 'clock at 2500', 'charts at 3000']);
  });
});

describe('the overview on the charts\' beat', () => {
  afterEach(() => vi.useRealTimers());

  it('asks for the overview\'s frame on the same beat as the charts\', so one paint draws both', () => {
    vi.useFakeTimers({ now: T0 });
    const frames: string[] = [];
    const frameFor = (what: string) => (run: () => void) => {
      frames.push(`${what} at ${Date.now() - T0}`);
      run();
    };
    const samples = new ServiceSamples(frameFor('overview'));
    const stopDrawing = samples.frame.add(() => undefined);
    const feed = new HistoryFeed(() => Date.now(), new LiveFrame(frameFor('charts')));
    frames.length = 0;
    const stop = feed.start(1000, () => false, samples.publish);
    for (let i = 0; i < 3; i++) {
      const sample = makeSample(Date.now());
      feed.add(sample);
      samples.add(sample, 'web');
      vi.advanceTimersByTime(1000);
    }
    // A beat with no new sample draws neither.
    vi.advanceTimersByTime(1000);
    stop();
    stopDrawing();
    expect(frames).toEqual(['overview at 1000', 'charts at 1000', 'overview at 2000', 'charts at 2000', 'overview at 3000', 'charts at 3000']);
  });
});

describe('long windows from the history on disk', () => {
  /** Timers run when the test says; each read's answer is held until released. */
  function setup() {
    const bridge = new FakeBridge();
    const reads: Array<{ input: HistoryInput; release: (samples: Sample[]) => void }> = [];
    bridge.answer('getHistory', (input) => new Promise((resolve) => reads.push({ input: input as HistoryInput, release: (samples) => resolve({ result: samples }) })));
    const due: Array<{ ms: number; callback: () => void }> = [];
    const timers: ArchiveTimers = {
      setTimeout: (callback, ms) => due.push({ ms, callback }),
      clearTimeout: (handle) => {
        const index = (handle as number) - 1;
        if (due[index]) due[index] = { ms: -1, callback: () => undefined };
      },
    };
    const feed = new HistoryFeed(() => T0);
    feed.load(seconds(0, 3600));
    const stop = followArchiveWindow(bridge, feed, () => T0 + 3600_000, timers);
    return { feed, reads, due, stop };
  }
  const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => Promise.resolve());

  it('draws 6 h, 24 h and 7 d from getHistory over the window, not from the live ring buffer, and reads again slowly', async () => {
    const { feed, reads, due, stop } = setup();
    expect(reads).toEqual([]);
    feed.setWindow(86_400);
    expect(reads.map((read) => read.input)).toEqual([{ fromMs: T0 + 3600_000 - 86_400_000, toMs: T0 + 3600_000 }]);
    expect(feed.shown).toBe(feed.archive);
    expect(feed.shown.size).toBe(0);
    const day = Array.from({ length: 1440 }, (_, i) => makeSample(T0 - 82_800_000 + i * 60_000, { hostCpu: 7 }));
    reads[0]!.release(day);
    await settle();
    expect(feed.shown.size).toBe(1440);
    expect(feed.shown.at(0).hostCpu).toBe(7);
    expect(due.map((timer) => timer.ms)).toEqual([archiveRefreshMs(86_400)]);
    expect(archiveRefreshMs(86_400)).toBe(120_000);

    due[0]!.callback();
    expect(reads).toHaveLength(2);
    feed.setWindow(300);
    // The answer for a window no longer picked is dropped; the short window draws the live buffer again.
    reads[1]!.release([makeSample(T0, { hostCpu: 99 })]);
    await settle();
    expect(feed.shown).toBe(feed.buffer);
    expect(feed.archive.size).toBe(1440);
    expect(due).toHaveLength(1);
    stop();
  });

  it('offers the long windows in the picker', () => {
    expect(TIME_WINDOWS_S).toEqual([60, 300, 900, 3600, 21_600, 86_400, 604_800]);
  });
});
