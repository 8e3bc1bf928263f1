// Reading live updates out of a Chromium trace: found by the page's measures, costed by the tasks around them.
import { describe, expect, it } from 'vitest';
import { analyzeLiveUpdates, type TraceEvent } from '../../../test/bench/chromium-trace.js';

const PAGE = 'http://127.0.0.1:7400';
const [PID, TID] = [7, 1];
const MEASURE = 'scaledeck:live-frame';

function header(): TraceEvent[] {
  return [
    { name: 'TracingStartedInBrowser', ph: 'I', ts: 0, pid: 1, tid: 1, args: { data: { frames: [{ processId: PID, url: `${PAGE}/` }] } } },
    { name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: TID, args: { name: 'CrRendererMain' } },
  ];
}
const task = (ts: number, dur: number, tdur = dur): TraceEvent => ({ name: 'RunTask', ph: 'X', ts, dur, tdur, pid: PID, tid: TID });
const measure = (ts: number, dur: number, id: string): TraceEvent[] => [
  { name: MEASURE, ph: 'b', ts, pid: PID, tid: TID, cat: 'blink.user_timing', id } as TraceEvent,
  { name: MEASURE, ph: 'e', ts: ts + dur, pid: PID, tid: TID, cat: 'blink.user_timing', id } as TraceEvent,
];

describe('live updates in a Chromium trace', () => {
  it('costs each measured update as its task plus the tasks next to it without a frame of idle', () => {
    const events = [
      ...header(),
      // Update 1 at 1 s: the publish timer (2 ms), then 5 ms later the frame that draws (6 ms, 4 ms of CPU).
      task(1_000_000, 2_000),
      task(1_007_000, 6_000, 4_000),
      ...measure(1_007_500, 1_500, '0x1'),
      // A clock tick 200 ms later is not part of it.
      task(1_200_000, 3_000),
      // Update 2 at 2 s: drawn in one task.
      task(2_000_000, 9_000),
      ...measure(2_000_100, 3_000, '0x2'),
      task(3_000_000, 1_000),
    ];
    const { updates } = analyzeLiveUpdates(events, PAGE, MEASURE);
    expect(updates.map((u) => [u.totalMs, u.cpuMs, u.longestTaskMs, u.longestTaskCpuMs, u.drawMs])).toEqual([
      [8, 6, 6, 4, 1.5],
      [9, 9, 9, 9, 3],
    ]);
  });

  it('counts two frames in one burst as one update, its cost counted once', () => {
    const events = [
      ...header(),
      // A sample's frame (3 ms), a re-render it caused (8 ms) and the second frame (4 ms), never a frame of idle apart.
      task(1_000_000, 3_000),
      ...measure(1_000_100, 1_000, '0x4'),
      task(1_005_000, 8_000),
      task(1_020_000, 4_000),
      ...measure(1_020_100, 2_000, '0x5'),
      task(2_000_000, 5_000),
      ...measure(2_000_100, 1_000, '0x6'),
      task(3_000_000, 1_000),
    ];
    const { updates } = analyzeLiveUpdates(events, PAGE, MEASURE);
    expect(updates.map((u) => [u.cpuMs, u.drawMs])).toEqual([
      [15, 3],
      [5, 1],
    ]);
  });

  it('reads a five-minute trace with hundreds of thousands of events', () => {
    const events = [...header()];
    for (let i = 0; i < 300_000; i++) events.push(task(1_000_000 + i * 20_000, 100));
    events.push(...measure(1_000_050, 20, '0x3'));
    expect(analyzeLiveUpdates(events, PAGE, MEASURE).updates).toHaveLength(1);
  });
});
