// The services overview and the cockpit under it: one row per service, picking a row shows and steers that service,
// and services are added and removed from it.
import { act, render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { HistoryInput, ServiceRef, ServiceView } from '../../../electron/contract/contract.js';
import { defaultSettings } from '../../../electron/contract/settings-schema.js';
import { App } from '../../../renderer/app.js';
import { FakeBridge, idleRollout, makeReplica, makeSample, makeServicesSnapshot, makeSnapshot, T0, viewOf } from './fake-bridge.js';
import { pressArrow } from './setup.js';

const base = makeSnapshot();

const web: ServiceView = viewOf('web', base, { lastReason: 'held: scale-down cooldown 30 s, 16 s left' });

const api: ServiceView = viewOf('api', base, {
  settings: {
    ...defaultSettings,
    frontendPort: 8081,
    metric: 'rps-per-replica',
    scaleUpThreshold: 80,
    scaleDownThreshold: 20,
    rules: [{ metric: 'rps-per-replica', scaleUpThreshold: 80, scaleDownThreshold: 20, targetValue: 50 }],
  },
  desired: 3,
  replicas: [
    makeReplica({ id: 'a1', name: 'scaledeck-api-api-1' }),
    makeReplica({ id: 'a2', name: 'scaledeck-api-api-2' }),
    makeReplica({ id: 'a3', name: 'scaledeck-api-api-3', state: 'starting' }),
  ],
  frontendUrl: 'http://127.0.0.1:8081/',
  sample: makeSample(T0, { service: 'api', rpsPerReplica: 95, replicaCpu: 33, desired: 3, ready: 2 }),
  lastReason: '2 -> 3: requests/s per replica 95 > 80 for 3 samples',
});

const worker: ServiceView = viewOf('worker', base, {
  settings: {
    ...defaultSettings,
    frontendPort: 8082,
    metric: 'latency-p95',
    scaleUpThreshold: 250,
    scaleDownThreshold: 50,
    rules: [{ metric: 'latency-p95', scaleUpThreshold: 250, scaleDownThreshold: 50, targetValue: 100 }],
  },
  desired: 1,
  replicas: [makeReplica({ id: 'w1', name: 'scaledeck-api-worker-1' })],
  frontendUrl: 'http://127.0.0.1:8082/',
  rollout: { ...idleRollout, state: 'paused', from: 'latest 3fa2c1b0', to: 'v2 9b8c7d6e', total: 1, reason: 'v2 did not get ready in 60 s', canRollBack: true },
  sample: makeSample(T0, { service: 'worker', latencyP95Ms: 12, desired: 1, ready: 1 }),
});

/** A control plane of three services; each one's history is its own. */
function threeServices(): FakeBridge {
  const bridge = new FakeBridge(makeServicesSnapshot([web, api, worker]));
  bridge.answer('getHistory', (input) => {
    const service = (input as (HistoryInput & ServiceRef) | undefined)?.service ?? 'web';
    return { result: [makeSample(T0 - 1000, { service, replicaCpu: service === 'api' ? 33 : 55 })] };
  });
  return bridge;
}

async function renderApp(bridge: FakeBridge) {
  render(<App api={bridge} />);
  await screen.findByRole('heading', { name: /Scaling rules/ });
  return bridge;
}

const overview = () => screen.getByRole('region', { name: /Services/ });
const rowOf = (name: string) => within(overview()).getByRole('button', { name }).closest('tr')!;
const cells = (name: string) => Array.from(rowOf(name).querySelectorAll('th, td')).map((cell) => cell.textContent);
const desiredCount = () => screen.getByTestId('desired-count').textContent;
const legendValue = (chart: string, label: string) =>
  Array.from(document.querySelectorAll(`.${chart} .legend li`))
    .find((item) => item.querySelector('.legend-label')?.textContent === label)
    ?.querySelector('.legend-value')?.textContent;

describe('services overview', () => {
  it('shows one row per service: frontend, replicas, first rule metric against its thresholds, state and last reason', async () => {
    await renderApp(threeServices());
    expect(within(overview()).getAllByRole('row')).toHaveLength(4);
    expect(cells('web')).toEqual(['web', '127.0.0.1:8080', '2 / 2', 'Replica CPU 55 % ↓ 30 · ↑ 70 %', '', 'idle', 'held: scale-down cooldown 30 s, 16 s left', 'Remove']);
    expect(cells('api')).toEqual(['api', '127.0.0.1:8081', '2 / 3', 'Req/s per replica 95 req/s ↓ 20 · ↑ 80 req/s', '', 'scaling', '2 -> 3: requests/s per replica 95 > 80 for 3 samples', 'Remove']);
    expect(cells('worker')).toEqual(['worker', '127.0.0.1:8082', '1 / 1', 'p95 latency 12 ms ↓ 50 · ↑ 250 ms', '', 'rollout paused', '–', 'Remove']);
    expect(within(rowOf('api')).getByRole('link', { name: '127.0.0.1:8081' }).getAttribute('href')).toBe('http://127.0.0.1:8081/');
    expect(within(rowOf('api')).getByRole('img', { name: /api: ready \(solid\) and desired \(dashed\) replicas/ })).toBeTruthy();
    expect(within(rowOf('api')).getByText('95 req/s').className).toContain('zone-above');
  });

  it('shows the one service of a one-service app as one row, without a Remove', async () => {
    await renderApp(new FakeBridge());
    expect(within(overview()).getAllByRole('row')).toHaveLength(2);
    expect(within(overview()).getByRole('button', { name: 'web' }).getAttribute('aria-current')).toBe('true');
    expect(within(overview()).queryByRole('button', { name: /Remove service/ })).toBeNull();
  });

  it('shows the first service until another is picked by a click on its row, then that one', async () => {
    await renderApp(threeServices());
    expect(desiredCount()).toBe('2');
    expect(within(overview()).getByRole('button', { name: 'web' }).getAttribute('aria-current')).toBe('true');
    await userEvent.click(within(rowOf('api')).getByText(/requests\/s per replica 95/));
    expect(desiredCount()).toBe('3');
    expect(within(overview()).getByRole('button', { name: 'api' }).getAttribute('aria-current')).toBe('true');
    expect(within(overview()).getByRole('button', { name: 'web' }).getAttribute('aria-current')).toBeNull();
    expect(rowOf('api').className).toContain('selected');
    expect(screen.getByRole('button', { name: 'Remove scaledeck-api-api-3' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Remove scaledeck-api-1' })).toBeNull();
    expect((screen.getByRole('slider', { name: 'Scale up above' }) as HTMLInputElement).value).toBe('80');
  });

  it('picks a service from the keyboard, with Enter or Space on its row', async () => {
    await renderApp(threeServices());
    within(overview()).getByRole('button', { name: 'worker' }).focus();
    await userEvent.keyboard('{Enter}');
    expect(desiredCount()).toBe('1');
    expect(screen.getByRole('heading', { name: 'Rollout paused' })).toBeTruthy();
    within(overview()).getByRole('button', { name: 'api' }).focus();
    await userEvent.keyboard(' ');
    expect(desiredCount()).toBe('3');
    expect(document.activeElement?.getAttribute('aria-current')).toBe('true');
    expect(screen.queryByRole('heading', { name: 'Rollout paused' })).toBeNull();
  });

  it('names the picked service in every command the cockpit sends, and in the history it reads', async () => {
    const bridge = await renderApp(threeServices());
    await userEvent.click(within(overview()).getByRole('button', { name: 'api' }));
    await waitFor(() => expect(bridge.callsOf('getHistory')).toContainEqual({ service: 'api' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add a replica' }));
    expect(bridge.callsOf('scale')).toEqual([{ replicas: 4, service: 'api' }]);
    await waitFor(() => expect(desiredCount()).toBe('4'));
    await userEvent.click(screen.getByRole('button', { name: 'Resume autoscaling' }));
    expect(bridge.callsOf('setMode')).toEqual([{ mode: 'auto', service: 'api' }]);
    act(() => pressArrow(screen.getByRole('slider', { name: 'Scale up above' }), 'ArrowRight'));
    await waitFor(() => expect(bridge.callsOf('updateSettings')).toEqual([{ scaleUpThreshold: 81, service: 'api' }]));
    await waitFor(() => expect(bridge.callsOf('whatIf').at(-1)).toMatchObject({ patch: { scaleUpThreshold: 81 }, service: 'api' }));
    await userEvent.click(screen.getByRole('button', { name: 'Remove scaledeck-api-api-1' }));
    expect(bridge.callsOf('removeReplica')).toEqual([{ id: 'a1', service: 'api' }]);
    // The answers went to api: web's count and mode are as they were.
    expect(within(rowOf('web')).getByText('2 / 2')).toBeTruthy();
    expect(bridge.snapshot.services[0]!.settings.mode).toBe('auto');
  });

  it('draws only the picked service samples on the charts, and the others in their own rows', async () => {
    const bridge = await renderApp(threeServices());
    await userEvent.click(within(overview()).getByRole('button', { name: 'api' }));
    await waitFor(() => expect(legendValue('cpu-chart', 'Replica mean')).toBe('33%'), { timeout: 3000 });
    act(() => {
      bridge.emit({ type: 'sample', sample: makeSample(T0 + 1000, { service: 'api', replicaCpu: 41 }) });
      // Newer, and another service's: were it drawn here, the chart would read 99 %.
      bridge.emit({ type: 'sample', sample: makeSample(T0 + 2000, { service: 'web', replicaCpu: 99 }) });
      bridge.emit({ type: 'sample', sample: makeSample(T0 + 2000, { replicaCpu: 98 }) });
    });
    await waitFor(() => expect(legendValue('cpu-chart', 'Replica mean')).toBe('41%'), { timeout: 3000 });
    await waitFor(() => expect(rowOf('web').querySelector('.spark-ready')?.getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+H/), { timeout: 3000 });
  });

  it('follows the stream in each row\'s metric, between snapshots, for the picked service and the others', async () => {
    const bridge = await renderApp(threeServices());
    expect(within(rowOf('api')).getByText('95 req/s').className).toContain('zone-above');
    act(() => {
      bridge.emit({ type: 'sample', sample: makeSample(T0 + 1000, { service: 'api', rpsPerReplica: 12 }) });
      bridge.emit({ type: 'sample', sample: makeSample(T0 + 1000, { service: 'web', replicaCpu: 81 }) });
    });
    await waitFor(() => expect(within(rowOf('api')).getByText('12 req/s').className).toContain('zone-below'), { timeout: 3000 });
    await waitFor(() => expect(within(rowOf('web')).getByText('81 %').className).toContain('zone-above'), { timeout: 3000 });
    expect(within(rowOf('worker')).getByText('12 ms').className).toContain('zone-below');
  });

  it('draws each row\'s replica line from its recorded trend window as soon as the page opens, before any stream', async () => {
    const bridge = threeServices();
    bridge.answer('getHistory', (input) => {
      const { service, fromMs } = input as HistoryInput & ServiceRef;
      // The window reaches back 5 minutes from the service's latest sample.
      expect(fromMs === undefined || fromMs === T0 - 5 * 60_000).toBe(true);
      return { result: [0, 1, 2].map((minutes) => makeSample(T0 - (4 - minutes) * 60_000, { service, desired: 1 + minutes, ready: 1 + minutes })) };
    });
    await renderApp(bridge);
    await waitFor(() => expect(bridge.callsOf('getHistory')).toContainEqual({ fromMs: T0 - 5 * 60_000, service: 'worker' }));
    // Three recorded steps and the snapshot's sample: a line from the left part of the window, not a dot at its end.
    await waitFor(() => expect(rowOf('worker').querySelector('.spark-ready')?.getAttribute('d')).toMatch(/^M19\.2,[\d.]+H38\.4V/), { timeout: 3000 });
  });

  it('logs the picked service events and those about the whole app, not the other services', async () => {
    const bridge = await renderApp(threeServices());
    await userEvent.click(within(overview()).getByRole('button', { name: 'api' }));
    act(() => {
      bridge.emitEvent({ at: T0 + 1000, kind: 'scale', message: '2 -> 3: replica CPU 86% > 70% for 3 samples', service: 'web' });
      bridge.emitEvent({ at: T0 + 1000, kind: 'scale', message: '3 -> 4: requests/s per replica 95 > 80 for 3 samples', service: 'api' });
      bridge.emitEvent({ at: T0 + 2000, kind: 'haproxy', message: 'HAProxy reloaded' });
    });
    const log = screen.getByRole('list', { name: 'Events, newest first' });
    expect(within(log).getAllByRole('listitem').map((item) => item.querySelector('.message')?.textContent)).toEqual([
      'HAProxy reloaded',
      '3 -> 4: requests/s per replica 95 > 80 for 3 samples',
    ]);
  });
});

describe('adding and removing services', () => {
  it('adds a service from the form and shows it picked', async () => {
    const bridge = await renderApp(threeServices());
    await userEvent.click(screen.getByRole('button', { name: 'Add service' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'checkout');
    await userEvent.type(screen.getByRole('textbox', { name: 'Image' }), 'shop/checkout:1.4');
    await userEvent.type(screen.getByRole('spinbutton', { name: 'Container port' }), '3000');
    await userEvent.type(screen.getByRole('spinbutton', { name: 'Frontend port' }), '8090');
    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(bridge.callsOf('addService')).toEqual([{ name: 'checkout', image: 'shop/checkout:1.4', containerPort: 3000, frontendPort: 8090 }]);
    await waitFor(() => expect(within(overview()).getByRole('button', { name: 'checkout' }).getAttribute('aria-current')).toBe('true'));
    expect(screen.queryByRole('textbox', { name: 'Name' })).toBeNull();
    // The focus was in the form, which is gone: it is back on the button that opened it, not lost to the page.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Add service' }));
  });

  it('shows a refusal next to the field it names, and focuses that field', async () => {
    const bridge = await renderApp(threeServices());
    bridge.answer('addService', () => ({ error: 'frontendPort: 8081 is already the frontend of api', field: 'frontendPort' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add service' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'checkout');
    await userEvent.type(screen.getByRole('spinbutton', { name: 'Frontend port' }), '8081');
    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    const port = await waitFor(() => {
      const input = screen.getByRole('spinbutton', { name: 'Frontend port' });
      expect(input.getAttribute('aria-invalid')).toBe('true');
      return input;
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('frontendPort: 8081 is already the frontend of api');
    expect(port.closest('.add-service-field')!.contains(alert)).toBe(true);
    expect(port.getAttribute('aria-describedby')).toContain(alert.id);
    expect(document.activeElement).toBe(port);
    expect(screen.getByRole('textbox', { name: 'Name' }).getAttribute('aria-invalid')).toBeNull();
  });

  it('shows a refusal about a field the form does not have under the form', async () => {
    const bridge = await renderApp(threeServices());
    bridge.answer('addService', () => ({ error: 'cpuLimit: must be more than 0', field: 'cpuLimit' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add service' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'checkout');
    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect((await screen.findByRole('alert')).textContent).toBe('cpuLimit: must be more than 0');
  });

  it('asks before removing a service, and removes it only when confirmed', async () => {
    const bridge = await renderApp(threeServices());
    await userEvent.click(within(overview()).getByRole('button', { name: 'api' }));
    await userEvent.click(screen.getByRole('button', { name: 'Remove service api' }));
    expect(bridge.callsOf('removeService')).toEqual([]);
    const question = screen.getByRole('group', { name: 'Confirm removing api' });
    expect(question.textContent).toMatch(/Remove api\? Its replicas are drained, then its frontend is closed/);
    expect(document.activeElement?.textContent).toBe('Cancel');
    await userEvent.keyboard('{Enter}');
    expect(screen.queryByRole('group', { name: 'Confirm removing api' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove service api' }));
    expect(bridge.callsOf('removeService')).toEqual([]);

    await userEvent.click(screen.getByRole('button', { name: 'Remove service api' }));
    await userEvent.click(screen.getByRole('button', { name: 'Remove api' }));
    expect(bridge.callsOf('removeService')).toEqual([{ name: 'api' }]);
    await waitFor(() => expect(within(overview()).queryByRole('button', { name: 'api' })).toBeNull());
    // The cockpit falls back to the first service, and the focus, whose row is gone, goes with it.
    expect(within(overview()).getByRole('button', { name: 'web' }).getAttribute('aria-current')).toBe('true');
    expect(document.activeElement).toBe(within(overview()).getByRole('button', { name: 'web' }));
    expect(desiredCount()).toBe('2');
  });

  it('keeps the keyboard on the confirmation while the removal drains, and takes it to the service shown after', async () => {
    const bridge = await renderApp(threeServices());
    let answer: (result: { result: { removed: string } }) => void = () => undefined;
    bridge.answer('removeService', () => new Promise((resolve) => (answer = resolve)));
    within(overview()).getByRole('button', { name: 'Remove service worker' }).focus();
    await userEvent.keyboard('{Enter}');
    await userEvent.keyboard('{Shift>}{Tab}{/Shift}');
    expect(document.activeElement?.textContent).toBe('Remove worker');
    await userEvent.keyboard('{Enter}');
    const running = screen.getByRole('button', { name: 'Removing…' });
    expect(document.activeElement).toBe(running);
    expect(running.getAttribute('aria-disabled')).toBe('true');
    // A second Enter while it runs asks nothing more.
    await userEvent.keyboard('{Enter}');
    expect(bridge.callsOf('removeService')).toEqual([{ name: 'worker' }]);
    await act(async () => answer({ result: { removed: 'worker' } }));
    await waitFor(() => expect(within(overview()).queryByRole('button', { name: 'worker' })).toBeNull());
    // web was shown all along, and stays.
    expect(document.activeElement).toBe(within(overview()).getByRole('button', { name: 'web' }));
  });
});
