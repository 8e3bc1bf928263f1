// The what-if ghost: replays throttled to the latest slider value, the dotted line and the summary beside it.
import { act, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Result, WhatIfInput, WhatIfResult } from '../../../electron/contract/contract.js';
import { defaultSettings } from '../../../electron/contract/settings-schema.js';
import { BridgeContext } from '../../../renderer/bridge-context.js';
import { HistoryFeed } from '../../../renderer/history-feed.js';
import { LiveFrame } from '../../../renderer/live-frame.js';
import { ReplicaChart } from '../../../renderer/replica-chart.js';
import { RulesPanel } from '../../../renderer/rules-panel.js';
import { SettingsPanel } from '../../../renderer/settings-panel.js';
import { createThresholdPreview } from '../../../renderer/threshold-preview.js';
import { GHOST_LINGER_MS, WhatIfFeed, type WhatIfTimers } from '../../../renderer/what-if-feed.js';
import { describeWhatIf } from '../../../renderer/what-if-summary.js';
import { FakeBridge, makeSample, T0 } from './fake-bridge.js';
import { pressArrow } from './setup.js';

const WINDOW = { fromMs: T0 - 300_000, toMs: T0 };

/** A replay of the window: `peak` replicas for its second half, 2 before. */
function replayResult(peak: number, scaleEvents = 2): WhatIfResult {
  const series = Array.from({ length: 60 }, (_, i) => ({ at: WINDOW.fromMs + i * 5000, desired: i < 30 ? 2 : peak, ready: 2, metric: 50 }));
  return {
    series,
    summary: { replicaSeconds: 492, secondsAboveUp: 120, scaleEvents, peakReplicas: peak },
    actual: { replicaSeconds: 600, secondsAboveUp: 180, scaleEvents: 4, peakReplicas: 3 },
    model: 'the recorded replica CPU total is conserved and divided by the replayed count',
  };
}

/** Timers that fire when the test moves the clock. */
function fakeTimers() {
  let now = 0;
  const due = new Map<number, { at: number; callback: () => void }>();
  let next = 1;
  const timers: WhatIfTimers = {
    setTimeout: (callback, ms) => {
      due.set(next, { at: now + ms, callback });
      return next++;
    },
    clearTimeout: (handle) => {
      due.delete(handle as number);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [handle, timer] of [...due]) {
      if (timer.at <= now) {
        due.delete(handle);
        timer.callback();
      }
    }
  };
  return { timers, advance };
}

/** A bridge whose whatIf answers wait until the test releases them, one by one. */
function heldBridge() {
  const bridge = new FakeBridge();
  const held: Array<{ input: WhatIfInput; release: (answer: Result<WhatIfResult>) => void }> = [];
  bridge.answer('whatIf', (input) => new Promise((resolve) => held.push({ input: input as WhatIfInput, release: resolve })));
  return { bridge, held };
}

const flush = () => act(async () => {});

describe('what-if replays', () => {
  it('keeps one request in flight and sends only the latest value once it answers', async () => {
    const { bridge, held } = heldBridge();
    const whatIf = new WhatIfFeed(bridge, () => WINDOW, fakeTimers().timers);
    whatIf.propose({ scaleUpThreshold: 69 }, defaultSettings);
    whatIf.propose({ scaleUpThreshold: 68 }, defaultSettings);
    whatIf.propose({ scaleUpThreshold: 67 }, defaultSettings);
    await flush();
    expect(bridge.callsOf('whatIf')).toEqual([{ patch: { scaleUpThreshold: 69 }, ...WINDOW }]);

    held[0]!.release({ result: replayResult(4) });
    await flush();
    expect(whatIf.shown.get()?.patch).toEqual({ scaleUpThreshold: 69 });
    // The values dragged past while the first replay ran are skipped: the next request carries the latest.
    expect(bridge.callsOf('whatIf')).toEqual([
      { patch: { scaleUpThreshold: 69 }, ...WINDOW },
      { patch: { scaleUpThreshold: 67 }, ...WINDOW },
    ]);
    held[1]!.release({ result: replayResult(5) });
    await flush();
    expect(whatIf.shown.get()?.result.summary.peakReplicas).toBe(5);
    expect(whatIf.shown.get()?.upThreshold).toBe(67);
  });

  it('shows the ghost for 10 s after the last change, and as long as the slider is held', async () => {
    const { timers, advance } = fakeTimers();
    const bridge = new FakeBridge();
    bridge.answer('whatIf', () => ({ result: replayResult(4) }));
    const whatIf = new WhatIfFeed(bridge, () => WINDOW, timers);
    whatIf.hold(true);
    whatIf.propose({ scaleUpCooldownS: 20 }, defaultSettings);
    await flush();
    advance(GHOST_LINGER_MS * 3);
    expect(whatIf.shown.get()).not.toBeNull();
    whatIf.hold(false);
    advance(GHOST_LINGER_MS - 1);
    expect(whatIf.shown.get()).not.toBeNull();
    advance(1);
    expect(whatIf.shown.get()).toBeNull();
  });

  it('drops an answer that lands after the ghost was hidden, and reports a rejected patch', async () => {
    const { bridge, held } = heldBridge();
    const whatIf = new WhatIfFeed(bridge, () => WINDOW, fakeTimers().timers);
    whatIf.propose({ minReplicas: 3 }, defaultSettings);
    await flush();
    whatIf.hide();
    held[0]!.release({ result: replayResult(4) });
    await flush();
    expect(whatIf.shown.get()).toBeNull();

    whatIf.propose({ maxReplicas: 500 }, defaultSettings);
    await flush();
    held[1]!.release({ error: 'patch.maxReplicas: must be 100 or less', field: 'patch.maxReplicas' });
    await flush();
    expect(whatIf.error.get()).toBe('patch.maxReplicas: must be 100 or less');
  });

  it('says cost, risk and churn against what ran, in one sentence', () => {
    const text = describeWhatIf({ ...WINDOW, patch: { scaleUpThreshold: 60 }, result: replayResult(4, 6), upThreshold: 60, unit: ' %' });
    expect(text).toBe('last 5 min with these settings: \u221218 % replica-minutes, 2 min above 60 % instead of 3 min, 6 scale events instead of 4, peak 4');
    const hour = describeWhatIf({ fromMs: T0 - 3_600_000, toMs: T0, patch: {}, result: replayResult(4, 4), upThreshold: 70, unit: ' %' });
    expect(hour).toMatch(/^last hour with these settings: .* 4 scale events as ran, peak 4$/);
  });
});

describe('the ghost line and its summary', () => {
  function chart(bridge: FakeBridge) {
    const queued: (() => void)[] = [];
    const feed = new HistoryFeed(() => T0, new LiveFrame((callback) => queued.push(callback)));
    feed.load(Array.from({ length: 300 }, (_, i) => makeSample(WINDOW.fromMs + (i + 1) * 1000, { desired: 2, ready: 2 })));
    const whatIf = new WhatIfFeed(bridge, () => WINDOW, fakeTimers().timers);
    const runFrame = () => act(() => queued.splice(0).forEach((callback) => callback()));
    render(
      <BridgeContext.Provider value={bridge}>
        <ReplicaChart feed={feed} maxReplicas={6} whatIf={whatIf} />
        <SettingsPanel settings={bridge.snapshot.settings} preview={createThresholdPreview()} onSettings={() => undefined} whatIf={whatIf} />
      </BridgeContext.Provider>,
    );
    return { whatIf, runFrame };
  }

  it('draws nothing until a slider moves, then a dotted step line and the summary from the replay of its value', async () => {
    const bridge = new FakeBridge();
    bridge.answer('whatIf', () => ({ result: replayResult(5, 6) }));
    const { runFrame } = chart(bridge);
    runFrame();
    expect(screen.queryByTestId('whatif-ghost')).toBeNull();
    expect(screen.queryByTestId('whatif-summary')).toBeNull();

    pressArrow(screen.getByRole('slider', { name: 'Scale up above' }), 'ArrowLeft');
    expect(bridge.callsOf('whatIf')).toEqual([{ patch: { scaleUpThreshold: 69 }, ...WINDOW }]);
    await waitFor(() => {
      runFrame();
      expect(screen.getByTestId('whatif-ghost').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+/);
    });
    const ghost = screen.getByTestId('whatif-ghost');
    expect(ghost.tagName.toLowerCase()).toBe('path');
    expect(ghost.getAttribute('stroke-dasharray')).toBeTruthy();
    // A step line from 2 to 5: its path has a vertical segment, two y values in all.
    const ys = new Set(Array.from((ghost.getAttribute('d') ?? '').matchAll(/[ML][\d.]+,([\d.]+)/g), (match) => match[1]));
    expect(ys.size).toBe(2);
    expect(screen.getByTestId('whatif-summary').textContent).toBe(
      'last 5 min with these settings: \u221218 % replica-minutes, 2 min above 69 % instead of 3 min, 6 scale events instead of 4, peak 5',
    );
    // The ghost's key sits beside it, dotted like the line.
    expect(screen.getByTestId('whatif-summary').querySelector('.swatch.series-ghost.dotted')).not.toBeNull();
  });

  it('replays the cooldown, breach-count and replica-range sliders too', async () => {
    const bridge = new FakeBridge();
    chart(bridge);
    pressArrow(screen.getByRole('slider', { name: 'Scale-down cooldown' }), 'ArrowRight');
    await flush();
    pressArrow(screen.getByRole('slider', { name: 'Samples beyond a threshold' }), 'ArrowRight');
    await flush();
    pressArrow(screen.getByRole('slider', { name: 'Maximum replicas' }), 'ArrowLeft');
    await flush();
    const patches = bridge.callsOf('whatIf').map((input) => (input as WhatIfInput).patch);
    expect(patches).toEqual([{ scaleDownCooldownS: 31 }, { scaleDownCooldownS: 31, breachSamples: 4 }, { scaleDownCooldownS: 31, breachSamples: 4, maxReplicas: 9 }]);
  });

  it('replays a dragged threshold of a further rule as the whole rules list', async () => {
    const bridge = new FakeBridge();
    const rules = [bridge.snapshot.settings.rules[0]!, { metric: 'latency-p95' as const, scaleUpThreshold: 200, scaleDownThreshold: 50, targetValue: 150 }];
    const settings = { ...bridge.snapshot.settings, rules };
    const whatIf = new WhatIfFeed(bridge, () => WINDOW, fakeTimers().timers);
    render(
      <BridgeContext.Provider value={bridge}>
        <RulesPanel settings={settings} onSettings={() => undefined} whatIf={whatIf} />
      </BridgeContext.Provider>,
    );
    pressArrow(screen.getByRole('slider', { name: 'Rule 2: scale up above' }), 'ArrowRight');
    await flush();
    expect(bridge.callsOf('whatIf')).toEqual([{ patch: { rules: [rules[0], { ...rules[1], scaleUpThreshold: 201 }] }, ...WINDOW }]);
  });
});
