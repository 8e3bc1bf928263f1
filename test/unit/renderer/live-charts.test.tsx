// The charts' live series in the DOM: paths and legend values written in one frame per publish, without React.
import { act, fireEvent, render, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CpuChart } from '../../../renderer/cpu-chart.js';
import { HistoryFeed } from '../../../renderer/history-feed.js';
import { LiveFrame } from '../../../renderer/live-frame.js';
import { ReplicaChart } from '../../../renderer/replica-chart.js';
import { createThresholdPreview } from '../../../renderer/threshold-preview.js';
import { makeSample, T0 } from './fake-bridge.js';
import './setup.js';

/** A feed whose frames run when the test says, as the browser's animation frames would. */
function feedWithManualFrames() {
  const queued: (() => void)[] = [];
  const feed = new HistoryFeed(() => T0, new LiveFrame((callback) => queued.push(callback)));
  const runFrame = () => act(() => queued.splice(0).forEach((callback) => callback()));
  return { feed, runFrame };
}

const pathOf = (series: string) => document.querySelector(`path.live-line.series-${series}`)?.getAttribute('d') ?? '';
const legendValue = (label: string) =>
  Array.from(document.querySelectorAll('.legend li')).find((item) => item.querySelector('.legend-label')?.textContent === label)?.querySelector('.legend-value')?.textContent;

describe('live charts', () => {
  it('draws the CPU lines and the latest values from the history, and moves them on the next published sample', async () => {
    const { feed, runFrame } = feedWithManualFrames();
    feed.load(Array.from({ length: 120 }, (_, i) => makeSample(T0 + i * 1000, { hostCpu: i % 2 === 0 ? 20 : 80 })));
    render(<CpuChart feed={feed} preview={createThresholdPreview()} metric="replica-cpu" scaleUpThreshold={70} scaleDownThreshold={30} extraRules="[]" />);
    await waitFor(() => {
      runFrame();
      expect(pathOf('host')).toMatch(/^M[\d.]+,[\d.]+L/);
    });
    expect(pathOf('replica')).toMatch(/^M/);
    expect(document.querySelector('path.series-replica')?.getAttribute('stroke-dasharray')).toBeTruthy();
    expect(legendValue('Host')).toBe('80%');
    const before = pathOf('host');

    feed.add(makeSample(T0 + 120_000, { hostCpu: 95 }));
    feed.publish();
    runFrame();
    expect(pathOf('host')).not.toBe(before);
    expect(legendValue('Host')).toBe('95%');
    // The time labels follow the window: 12:00 to 12:02 in the 5 min window shows whole minutes.
    const labels = Array.from(document.querySelectorAll('.live-time-ticks g[visibility="visible"] text')).map((text) => text.textContent);
    expect(labels.length).toBeGreaterThan(0);
    for (const label of labels) expect(label).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  it('draws the thresholds of every further rule on the chart of its metric, labelled with its number, and no other', async () => {
    const { feed, runFrame } = feedWithManualFrames();
    feed.load(Array.from({ length: 30 }, (_, i) => makeSample(T0 + i * 1000)));
    const extraRules = JSON.stringify([
      { metric: 'host-cpu', scaleUpThreshold: 85, scaleDownThreshold: 20, targetValue: 50 },
      { metric: 'latency-p95', scaleUpThreshold: 150, scaleDownThreshold: 50, targetValue: 100 },
    ]);
    render(<CpuChart feed={feed} preview={createThresholdPreview()} metric="replica-cpu" scaleUpThreshold={70} scaleDownThreshold={30} extraRules={extraRules} />);
    await waitFor(() => {
      runFrame();
      expect(document.querySelectorAll('.recharts-reference-line').length).toBe(4);
    });
    // Rule 1 from the flat fields, rule 2 (host CPU) beside it; rule 3 is a latency rule, which this chart does not draw.
    const lineAt = (selector: string) => document.querySelector(`.recharts-reference-line${selector} line`)?.getAttribute('y');
    expect(lineAt('.threshold-up:not([class*="rule-"])')).toBe('70');
    expect(lineAt('.threshold-up.rule-2')).toBe('85');
    expect(lineAt('.threshold-down.rule-2')).toBe('20');
    expect(document.querySelector('[class*="rule-3"]')).toBeNull();
  });

  it('raises the replica axis above the maximum setting only when the count goes past it', async () => {
    const { feed, runFrame } = feedWithManualFrames();
    feed.load(Array.from({ length: 30 }, (_, i) => makeSample(T0 + i * 1000, { desired: 3, ready: 3 })));
    render(<ReplicaChart feed={feed} maxReplicas={6} />);
    const topTick = () => Math.max(...Array.from(document.querySelectorAll('.recharts-cartesian-axis-tick-value')).map((tick) => Number(tick.textContent)));
    await waitFor(() => {
      runFrame();
      expect(pathOf('ready')).toMatch(/^M/);
    });
    await waitFor(() => expect(topTick()).toBe(6));
    feed.add(makeSample(T0 + 30_000, { desired: 9, ready: 8 }));
    feed.publish();
    runFrame();
    // 9 with half again as headroom, rounded: 20.
    await waitFor(() => expect(topTick()).toBe(20));
    expect(legendValue('Desired')).toBe('9');
  });

  it('reads out the time and values of the sample under the pointer, and hides them when it leaves', async () => {
    const { feed, runFrame } = feedWithManualFrames();
    feed.setWindow(60);
    feed.load(Array.from({ length: 61 }, (_, i) => makeSample(T0 + i * 1000, { hostCpu: i, replicaCpu: 100 - i })));
    render(<CpuChart feed={feed} preview={createThresholdPreview()} metric="replica-cpu" scaleUpThreshold={70} scaleDownThreshold={30} extraRules="[]" />);
    await waitFor(() => {
      runFrame();
      expect(document.querySelector('.live-readout > rect')).not.toBeNull();
    });
    const area = document.querySelector('.live-readout > rect') as SVGRectElement;
    // jsdom lays nothing out: the plot is 600 px wide on screen, so its middle is the sample 30 s into the minute.
    area.getBoundingClientRect = () => ({ left: 0, top: 0, width: 600, height: 200, right: 600, bottom: 200, x: 0, y: 0, toJSON: () => ({}) });
    fireEvent.pointerMove(area, { clientX: 300, clientY: 50 });
    const texts = () => Array.from(document.querySelectorAll('.live-readout text')).map((text) => text.textContent);
    await waitFor(() => expect(texts()).toEqual([expect.stringMatching(/^\d\d:\d\d:30$/), 'Host: 30%', 'Replica mean: 70%']));
    fireEvent.pointerLeave(area);
    await waitFor(() => expect(texts()).toEqual([]));
  });
});

describe('schedule windows on the replica chart', () => {
  it('shades each window over its span of the live window, and follows the window as it slides', async () => {
    const { feed, runFrame } = feedWithManualFrames();
    feed.load(Array.from({ length: 120 }, (_, i) => makeSample(T0 + i * 1000)));
    const windows = [
      { name: 'peak', start: T0 + 60_000, end: T0 + 90_000 },
      { name: 'later', start: T0 + 3_600_000, end: T0 + 3_660_000 },
    ];
    render(<ReplicaChart feed={feed} maxReplicas={10} scheduleWindows={JSON.stringify(windows)} />);
    const shade = (name: string) => document.querySelector(`rect.schedule-shade[data-window="${name}"]`);
    await waitFor(() => {
      runFrame();
      expect(Number(shade('peak')?.getAttribute('width'))).toBeGreaterThan(0);
    });
    const { start, end } = feed.view.get();
    const plotWidth = Number(shade('peak')?.getAttribute('width')) * ((end - start) / 30_000);
    // 30 s of the window's span, at its place in it; a window that has not begun yet has no width.
    expect(plotWidth).toBeGreaterThan(100);
    expect(Number(shade('later')?.getAttribute('width'))).toBe(0);
    const before = Number(shade('peak')?.getAttribute('x'));
    feed.add(makeSample(T0 + 150_000));
    feed.publish();
    runFrame();
    expect(Number(shade('peak')?.getAttribute('x'))).toBeLessThan(before);
    expect(legendValue('Schedule window')).toBe('');
  });

  it('draws no shade without windows', () => {
    const { feed, runFrame } = feedWithManualFrames();
    feed.load(Array.from({ length: 10 }, (_, i) => makeSample(T0 + i * 1000)));
    render(<ReplicaChart feed={feed} maxReplicas={10} />);
    runFrame();
    expect(document.querySelectorAll('rect.schedule-shade')).toHaveLength(0);
    expect(legendValue('Schedule window')).toBeUndefined();
  });
});
