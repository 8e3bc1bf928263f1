// The whole dashboard against a fake control plane: snapshot, stream, thresholds on the charts, reconnects.
import { act, render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../../../renderer/app.js';
import { FakeBridge, FakeStreamingBridge, makeSnapshot, T0 } from './fake-bridge.js';
import { pressArrow } from './setup.js';

async function renderApp(bridge: FakeBridge = new FakeBridge()) {
  render(<App api={bridge} />);
  await screen.findByRole('heading', { name: /Scaling rules/ });
  return bridge;
}

/** The y position of a threshold line in the SVG, as an end-to-end test in a browser would read it. */
function thresholdY(chart: string, which: 'up' | 'down'): number | null {
  const line = document.querySelector(`.${chart} .threshold-${which} line`);
  return line ? Number(line.getAttribute('y1')) : null;
}

describe('dashboard', () => {
  it('shows the control plane as the snapshot describes it', async () => {
    await renderApp();
    const status = screen.getByRole('banner');
    expect(within(status).getByText('20.10.24')).toBeTruthy();
    expect(within(status).getByText('running 2.6.12')).toBeTruthy();
    expect(within(status).getByRole('link', { name: '127.0.0.1:8080' }).getAttribute('href')).toBe('http://127.0.0.1:8080/');
    expect(within(status).getByRole('link', { name: '127.0.0.1:8404/stats' }).getAttribute('href')).toBe('http://127.0.0.1:8404/stats');
    expect(screen.getByTestId('desired-count').textContent).toBe('2');
    expect(screen.getByRole('button', { name: 'Remove scaledeck-api-1' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Finish setting up' })).toBeNull();
  });

  it('draws the thresholds on the CPU chart and moves a line while its slider is dragged, before the write lands', async () => {
    const bridge = await renderApp();
    await waitFor(() => expect(thresholdY('cpu-chart', 'up')).not.toBeNull());
    const before = thresholdY('cpu-chart', 'up')!;
    expect(thresholdY('request-rate-chart', 'up')).toBeNull();
    act(() => pressArrow(screen.getByRole('slider', { name: 'Scale up above' }), 'ArrowRight'));
    act(() => pressArrow(screen.getByRole('slider', { name: 'Scale up above' }), 'ArrowRight'));
    // Checked at once, inside the same turn as the key presses: the debounced write cannot have fired yet, however
    // slow the machine, so this shows the line follows the slider before anything is sent.
    expect(thresholdY('cpu-chart', 'up')).toBeLessThan(before);
    expect(bridge.callsOf('updateSettings')).toEqual([]);
    // The one service is named too: commands from the cockpit always say which service they are for.
    await waitFor(() => expect(bridge.callsOf('updateSettings')).toEqual([{ scaleUpThreshold: 72, service: 'web' }]));
  });

  it('draws the thresholds on the request chart when scaling on requests per replica', async () => {
    const snapshot = makeSnapshot();
    snapshot.settings = { ...snapshot.settings, rules: [{ metric: 'rps-per-replica', scaleUpThreshold: 80, scaleDownThreshold: 20, targetValue: 50 }] };
    await renderApp(new FakeBridge(snapshot));
    await waitFor(() => expect(thresholdY('request-rate-chart', 'up')).not.toBeNull());
    expect(thresholdY('cpu-chart', 'up')).toBeNull();
  });

  it('puts a streamed event at the top of the log', async () => {
    const bridge = await renderApp();
    act(() => bridge.emitEvent({ at: T0 + 1000, kind: 'scale', message: '2 -> 3: replica CPU 86% > 70% for 3 samples' }));
    act(() => bridge.emitEvent({ at: T0 + 2000, kind: 'replica', message: 'scaledeck-api-3 is ready' }));
    const log = screen.getByRole('list', { name: 'Events, newest first' });
    expect(within(log).getAllByRole('listitem').map((item) => item.querySelector('.message')?.textContent)).toEqual([
      'scaledeck-api-3 is ready',
      '2 -> 3: replica CPU 86% > 70% for 3 samples',
    ]);
  });

  it('updates the controls from streamed snapshots and shows the manual mode with a way back', async () => {
    const bridge = await renderApp();
    act(() => bridge.emit({ type: 'snapshot', snapshot: makeSnapshot({ desired: 5, mode: 'manual' }) }));
    expect(screen.getByTestId('desired-count').textContent).toBe('5');
    await userEvent.click(screen.getByRole('button', { name: 'Resume autoscaling' }));
    expect(bridge.callsOf('setMode')).toEqual([{ mode: 'auto', service: 'web' }]);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Resume autoscaling' })).toBeNull());
  });

  it('shows the setup panel only while a check fails', async () => {
    const bridge = await renderApp();
    act(() =>
      bridge.emit({
        type: 'snapshot',
        snapshot: makeSnapshot({ checks: [{ id: 'haproxy', ok: false, message: 'HAProxy was not found', fix: 'sudo apt install haproxy' }] }),
      }),
    );
    expect(screen.getByRole('heading', { name: 'Finish setting up' })).toBeTruthy();
    expect(screen.getByText('sudo apt install haproxy')).toBeTruthy();
    act(() => bridge.emit({ type: 'snapshot', snapshot: makeSnapshot() }));
    expect(screen.queryByRole('heading', { name: 'Finish setting up' })).toBeNull();
  });

  it('shows a rollout in the status area while it runs, and nothing once it is done', async () => {
    const bridge = await renderApp();
    expect(screen.queryByRole('heading', { name: 'Rolling out' })).toBeNull();
    const rollout = { state: 'running' as const, from: 'latest 3fa2c1b0', to: 'v2 9b8c7d6e', replaced: 1, total: 2, reason: null, canRollBack: true };
    act(() => bridge.emit({ type: 'snapshot', snapshot: makeSnapshot({ rollout }) }));
    expect(screen.getByRole('heading', { name: 'Rolling out' })).toBeTruthy();
    expect(screen.getByText('1 of 2 replaced')).toBeTruthy();
    act(() => bridge.emit({ type: 'snapshot', snapshot: makeSnapshot() }));
    expect(screen.queryByRole('heading', { name: 'Rolling out' })).toBeNull();
  });

  it('shows the stream reconnecting, and reloads the snapshot once it is back', async () => {
    const bridge = new FakeStreamingBridge();
    await renderApp(bridge);
    act(() => bridge.setConnection('open'));
    expect(screen.getByText('live')).toBeTruthy();
    act(() => bridge.setConnection('reconnecting'));
    expect(screen.getByText('reconnecting…')).toBeTruthy();
    const loads = bridge.callsOf('getSnapshot').length;
    bridge.snapshot = makeSnapshot({ desired: 6 });
    act(() => bridge.setConnection('open'));
    await waitFor(() => expect(screen.getByTestId('desired-count').textContent).toBe('6'));
    expect(bridge.callsOf('getSnapshot').length).toBe(loads + 1);
    // Each load reads the cockpit's history, and the overview's trend window of each service (one here).
    const reads = bridge.callsOf('getHistory') as Array<{ fromMs?: number } | undefined>;
    expect(reads.filter((input) => input?.fromMs === undefined).length).toBe(loads + 1);
    expect(reads.filter((input) => input?.fromMs !== undefined).length).toBe(loads + 1);
  });

  it('asks for the forecast only once the snapshot says there is one, and draws it then', async () => {
    const bridge = await renderApp();
    expect(bridge.callsOf('getForecast')).toHaveLength(0);
    bridge.forecast = {
      result: {
        metric: 'replica-cpu', points: [{ at: T0, value: 80 }], replicas: [{ at: T0, desired: 2 }], basedOnHours: 30, madeAt: T0,
        error: { mape: 0.12, underPeakShare: 0, compared: 120 },
      },
    };
    act(() => bridge.emit({ type: 'snapshot', snapshot: makeSnapshot({ forecast: { available: true, reason: null } }) }));
    await waitFor(() => expect(screen.getAllByText('MAPE 12 %, 0 % of peaks under').length).toBeGreaterThan(0));
    expect(bridge.callsOf('getForecast')).toHaveLength(1);
  });

  it('says why the dashboard cannot load, and tries again on request', async () => {
    const bridge = new FakeBridge();
    bridge.answer('getSnapshot', () => ({ error: 'Cannot reach the ScaleDeck server at http://127.0.0.1:7400: is `npm run serve` still running?' }));
    render(<App api={bridge} />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/Cannot reach the ScaleDeck server/);
    bridge.answer('getSnapshot', () => ({ result: bridge.snapshot }));
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByRole('heading', { name: /Scaling rules/ });
  });

  it('stops listening to the stream when it goes away', async () => {
    const bridge = new FakeBridge();
    const view = render(<App api={bridge} />);
    await screen.findByRole('heading', { name: /Scaling rules/ });
    expect(bridge.subscribers).toBe(1);
    view.unmount();
    expect(bridge.subscribers).toBe(0);
  });
});
