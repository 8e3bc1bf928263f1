// Setup guidance (fixes, recheck, image build) and the load generator panel.
import { render, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LoadStatus, SetupCheck, Snapshot } from '../../../electron/contract/contract.js';
import { BridgeContext } from '../../../renderer/bridge-context.js';
import { LoadPanel } from '../../../renderer/load-panel.js';
import { SetupPanel } from '../../../renderer/setup-panel.js';
import { FakeBridge, T0 } from './fake-bridge.js';
import './setup.js';

const failing: SetupCheck[] = [
  { id: 'docker', ok: true, message: 'Docker 20.10.24' },
  { id: 'haproxy', ok: false, message: 'HAProxy was not found on the PATH', fix: 'sudo apt install haproxy\nthen press "Check again"' },
  { id: 'image', ok: false, message: 'The image scaledeck/api:latest is not built yet', fix: 'npm run image' },
];

function renderSetup(imageBuild: Snapshot['imageBuild'] = { running: false, log: [], error: null }, bridge = new FakeBridge()) {
  const rechecked: SetupCheck[][] = [];
  render(
    <BridgeContext.Provider value={bridge}>
      <SetupPanel checks={failing} imageBuild={imageBuild} onChecks={(checks) => rechecked.push(checks)} />
    </BridgeContext.Provider>,
  );
  return { bridge, rechecked };
}

describe('setup panel', () => {
  it('shows each failed check with its message and fix lines, and not the ones that pass', () => {
    renderSetup();
    expect(screen.getByText('HAProxy was not found on the PATH')).toBeTruthy();
    expect(screen.getByText('sudo apt install haproxy')).toBeTruthy();
    expect(screen.getByText('then press "Check again"')).toBeTruthy();
    expect(screen.getByText('npm run image')).toBeTruthy();
    expect(screen.queryByText('Docker 20.10.24')).toBeNull();
  });

  it('checks again and hands over the new results', async () => {
    const bridge = new FakeBridge();
    const fixed = failing.map((check) => ({ ...check, ok: true }));
    bridge.answer('recheck', () => ({ result: fixed }));
    const { rechecked } = renderSetup(undefined, bridge);
    await userEvent.click(screen.getByRole('button', { name: 'Check again' }));
    expect(bridge.callsOf('recheck')).toHaveLength(1);
    await waitFor(() => expect(rechecked).toEqual([fixed]));
  });

  it('builds the sample image from the image check', async () => {
    const { bridge } = renderSetup();
    await userEvent.click(screen.getByRole('button', { name: 'Build the sample image' }));
    expect(bridge.callsOf('buildImage')).toHaveLength(1);
  });

  it('shows the build log live and does not start a second build while one runs', () => {
    renderSetup({ running: true, log: ['Step 1/6 : FROM node:20-slim', 'Step 2/6 : WORKDIR /app'], error: null });
    expect(screen.getByLabelText('Image build log').textContent).toBe('Step 1/6 : FROM node:20-slim\nStep 2/6 : WORKDIR /app');
    expect((screen.getByRole('button', { name: 'Building the sample image…' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows why a build failed', () => {
    renderSetup({ running: false, log: ['Step 1/6 : FROM node:20-slim'], error: 'The build stopped: no base image node:20-slim offline' });
    expect(screen.getByRole('alert').textContent).toBe('The build stopped: no base image node:20-slim offline');
  });
});

const idle: LoadStatus = { running: false, rate: 0, durationS: 0, startedAt: null, sent: 0, errors: 0, non2xx: 0 };

function renderLoad(load: LoadStatus, bridge = new FakeBridge()) {
  const updates: LoadStatus[] = [];
  render(
    <BridgeContext.Provider value={bridge}>
      <LoadPanel load={load} onLoad={(next) => updates.push(next)} />
    </BridgeContext.Provider>,
  );
  return { bridge, updates };
}

describe('load panel', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts load at the rate and for the duration entered', async () => {
    const { bridge, updates } = renderLoad(idle);
    const rate = screen.getByRole('spinbutton', { name: /Rate/ });
    await userEvent.clear(rate);
    await userEvent.type(rate, '200');
    const duration = screen.getByRole('spinbutton', { name: /Duration/ });
    await userEvent.clear(duration);
    await userEvent.type(duration, '30');
    await userEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(bridge.callsOf('startLoad')).toEqual([{ rate: 200, durationS: 30, path: '/work?ms=50' }]);
    await waitFor(() => expect(updates.at(-1)?.running).toBe(true));
  });

  it('refuses a rate outside the limits before sending anything', async () => {
    const { bridge } = renderLoad(idle);
    const rate = screen.getByRole('spinbutton', { name: /Rate/ });
    await userEvent.clear(rate);
    await userEvent.type(rate, '9000');
    expect(screen.getByRole('alert').textContent).toBe('Rate must be a whole number from 1 to 5000 req/s.');
    expect((screen.getByRole('button', { name: 'Start' }) as HTMLButtonElement).disabled).toBe(true);
    expect(bridge.callsOf('startLoad')).toEqual([]);
  });

  it('shows live progress and stops a running load', async () => {
    vi.useFakeTimers({ now: T0, toFake: ['Date'] });
    const running: LoadStatus = { running: true, rate: 100, durationS: 60, startedAt: T0 - 20_500, sent: 2000, errors: 3, non2xx: 7 };
    const { bridge } = renderLoad(running);
    expect(screen.getByRole('status').textContent).toBe('100 req/s');
    expect(document.querySelector('.load-left')?.textContent).toBe('40s left');
    expect(screen.getByText('2,000')).toBeTruthy();
    expect(screen.getByText('3')).toBeTruthy();
    expect(screen.getByText('7')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(bridge.callsOf('stopLoad')).toHaveLength(1);
  });
});
