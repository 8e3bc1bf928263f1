// The pure parts of the live charts: thinning to pixel columns, stepped Y maxima, one frame for all charts.
import { area, curveStepAfter, line } from 'd3-shape';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../electron/contract/contract.js';
import { ColumnPoints, columnExtremes } from '../../../renderer/column-extremes.js';
import { LiveFrame } from '../../../renderer/live-frame.js';
import { PathWriter, scaledDash } from '../../../renderer/path-writer.js';
import { axisTicks, roundUp, steppedMax } from '../../../renderer/y-step.js';

const T0 = Date.UTC(2026, 0, 1, 12);
const series = (values: (number | null)[]) => {
  const samples = values.map((hostCpu, i) => ({ at: T0 + i * 1000, hostCpu }) as Sample);
  return { at: (i: number) => samples[i] as Sample, length: samples.length };
};
const hostCpu = (sample: Sample) => sample.hostCpu;
/** `pixels` columns across the whole series. */
const toX = (count: number, pixels: number) => (at: number) => ((at - T0) / ((count - 1) * 1000)) * pixels;

describe('thinning a series to pixel columns', () => {
  it('keeps every point when there are fewer samples than pixels', () => {
    const source = series([5, 9, 1, 7]);
    const out = new ColumnPoints(2);
    expect(columnExtremes(source, 0, source.length, toX(4, 600), hostCpu, out)).toBe(9);
    expect(Array.from(out.ys.subarray(0, out.length))).toEqual([5, 9, 1, 7]);
    expect(Array.from(out.xs.subarray(0, out.length))).toEqual([0, 200, 400, 600]);
  });

  it('draws an hour in at most two points per column, keeping every peak and the latest value', () => {
    const values = Array.from({ length: 3600 }, (_, i) => (i === 1234 ? 100 : i === 2345 ? -50 : Math.sin(i / 7) * 10));
    const source = series(values);
    const out = new ColumnPoints();
    const highest = columnExtremes(source, 0, source.length, toX(3600, 400), hostCpu, out);
    const ys = Array.from(out.ys.subarray(0, out.length));
    const xs = Array.from(out.xs.subarray(0, out.length));
    expect(highest).toBe(100);
    expect(out.length).toBeLessThanOrEqual(2 * 401 + 1);
    expect(ys).toContain(100);
    expect(ys).toContain(-50);
    expect(ys.at(-1)).toBe(values.at(-1));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
  });

  it('marks a sample without a value as a gap, not a zero', () => {
    const source = series([3, null, 4]);
    const out = new ColumnPoints();
    columnExtremes(source, 0, source.length, toX(3, 600), hostCpu, out);
    expect(out.length).toBe(3);
    expect(Number.isNaN(out.ys[1])).toBe(true);
    expect(out.ys[2]).toBe(4);
  });
});

describe('stepped Y maxima', () => {
  it('rounds up to 1, 2, 2.5 or 5 times a power of ten, in whole numbers', () => {
    expect([0.3, 1, 3, 7, 11, 21, 240, 251].map(roundUp)).toEqual([1, 1, 5, 10, 20, 25, 250, 500]);
  });

  it('grows as soon as a value would leave the chart, and holds while values wander below it', () => {
    let max = steppedMax(10, 12, 10);
    expect(max).toBe(20);
    for (const needed of [19, 9, 15, 8.5, 20]) {
      max = steppedMax(max, needed, 10);
      expect(max).toBe(20);
    }
    expect(steppedMax(max, 21, 10)).toBe(50);
  });

  it('takes a rate climbing from zero to 40 in one step, and keeps it there', () => {
    const steps = [0, 8, 23, 40, 41, 38, 42].reduce<number[]>((shown, needed) => [...shown, steppedMax(shown.at(-1) ?? 10, needed, 10)], []);
    expect(steps).toEqual([10, 10, 50, 50, 50, 50, 50]);
  });

  it('never shrinks right after it grew, whatever the value', () => {
    for (let needed = 1; needed < 5000; needed += 0.7) {
      const grown = steppedMax(1, needed, 1);
      expect(steppedMax(grown, needed, 1)).toBe(grown);
    }
  });

  it('shrinks only when the data uses less than 30 % of the axis, and never below the floor', () => {
    expect(steppedMax(250, 76, 10)).toBe(250);
    expect(steppedMax(250, 60, 10)).toBe(100);
    expect(steppedMax(250, 0, 10)).toBe(10);
    expect(steppedMax(6, 1, 6)).toBe(6);
  });

  it('puts about five whole-number ticks from 0 to the maximum', () => {
    expect(axisTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(axisTicks(6)).toEqual([0, 2, 4, 6]);
    expect(axisTicks(250)).toEqual([0, 50, 100, 150, 200, 250]);
  });
});

describe('one frame for every live chart', () => {
  function manualFrames() {
    const queued: (() => void)[] = [];
    const frame = new LiveFrame((callback) => queued.push(callback));
    const runFrame = () => queued.splice(0).forEach((callback) => callback());
    return { frame, queued, runFrame };
  }

  it('draws every chart once per frame however many samples asked for it', () => {
    const { frame, queued, runFrame } = manualFrames();
    const drawn: string[] = [];
    frame.add(() => drawn.push('cpu'));
    frame.add(() => drawn.push('replicas'));
    runFrame();
    expect(drawn).toEqual(['cpu', 'replicas']);
    frame.request();
    frame.request();
    frame.request();
    expect(queued).toHaveLength(1);
    runFrame();
    expect(drawn).toEqual(['cpu', 'replicas', 'cpu', 'replicas']);
  });

  it('stops drawing a chart once it is removed', () => {
    const { frame, runFrame } = manualFrames();
    let draws = 0;
    const remove = frame.add(() => (draws += 1));
    runFrame();
    remove();
    frame.request();
    runFrame();
    expect(draws).toBe(1);
  });
});

describe('writing paths in tenths of a pixel', () => {
  const points: Array<[number, number]> = [
    [0, 10],
    [12.34, 5.06],
    [25, 7.5],
  ];
  const context = (writer: PathWriter) => writer as unknown as CanvasRenderingContext2D;

  it('writes what d3-shape draws, in whole tenths of a pixel, one path per take', () => {
    const writer = new PathWriter();
    line().context(context(writer))(points);
    expect(writer.take()).toBe('M0,100L123,51L250,75');
    line().curve(curveStepAfter).context(context(writer))(points.slice(0, 2));
    expect(writer.take()).toBe('M0,100L123,100L123,51');
    area().y0(20).context(context(writer))(points.slice(0, 2));
    expect(writer.take()).toBe('M0,100L123,51L123,200L0,200Z');
  });

  it('scales dash patterns with the path, so they keep their size on screen', () => {
    expect(scaledDash('6 3')).toBe('60 30');
    expect(scaledDash(undefined)).toBeUndefined();
  });
});
