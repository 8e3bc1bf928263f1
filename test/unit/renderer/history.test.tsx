// The chart history: ring buffer bounds and order, display downsampling, publishing at a fixed rate.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { downsample, HistoryBuffer } from '../../../renderer/history-buffer.js';
import { HistoryFeed, MAX_CHART_POINTS } from '../../../renderer/history-feed.js';
import { makeSample, T0 } from './fake-bridge.js';

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

  it('returns the samples since a time, oldest first, with the sequence number of the first', () => {
    const buffer = new HistoryBuffer(5);
    for (const sample of seconds(0, 8)) buffer.push(sample);
    const run = buffer.since(T0 + 5000);
    expect(run.samples.map((sample) => sample.hostCpu)).toEqual([5, 6, 7]);
    expect(run.firstSeq).toBe(5);
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

describe('downsampling for display', () => {
  const points = Array.from({ length: 3600 }, (_, i) => i);

  it('leaves short series alone', () => {
    expect(downsample([1, 2, 3], 600)).toEqual([1, 2, 3]);
  });

  it('thins a long series to at most the limit and keeps the latest point exact', () => {
    const thinned = downsample(points, 600);
    expect(thinned.length).toBeLessThanOrEqual(600);
    expect(thinned.length).toBeGreaterThan(500);
    expect(thinned.at(-1)).toBe(3599);
    expect([...thinned].sort((a, b) => a - b)).toEqual(thinned);
  });

  it('keeps the same points picked when the series moves on, so the line does not shimmer', () => {
    const before = downsample(points, 600, 0);
    const after = downsample(points.map((point) => point + 7), 600, 7);
    const common = before.slice(0, -1).filter((point) => point >= 7);
    expect(after.slice(0, common.length)).toEqual(common);
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
    expect(feed.view.get().samples).toHaveLength(4);
  });

  it('shows the chosen time window ending at the latest sample, thinned for drawing', () => {
    const feed = new HistoryFeed(() => T0);
    feed.load(seconds(0, 3600));
    feed.setWindow(60);
    let view = feed.view.get();
    expect(view.end).toBe(T0 + 3599_000);
    expect(view.start).toBe(view.end - 60_000);
    expect(view.samples).toHaveLength(61);
    feed.setWindow(3600);
    view = feed.view.get();
    expect(view.samples.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
    expect(view.samples.at(-1)?.at).toBe(T0 + 3599_000);
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
