// The manual scale buttons and the auto/manual mode switch.
import { render, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../electron/contract/contract.js';
import { BridgeContext } from '../../../renderer/bridge-context.js';
import { ModeSwitch } from '../../../renderer/mode-switch.js';
import { ScaleControls } from '../../../renderer/scale-controls.js';
import { FakeBridge } from './fake-bridge.js';
import './setup.js';

function renderScale(desired: number, maxReplicas = 10, bridge = new FakeBridge()) {
  const scaled: { desired: number; mode: Settings['mode'] }[] = [];
  render(
    <BridgeContext.Provider value={bridge}>
      <ScaleControls desired={desired} ready={desired} maxReplicas={maxReplicas} onScaled={(answer) => scaled.push(answer)} />
    </BridgeContext.Provider>,
  );
  return { bridge, scaled };
}

describe('scale buttons', () => {
  it('adds a replica with scale(desired + 1) and reports the manual mode it switched to', async () => {
    const { bridge, scaled } = renderScale(3);
    await userEvent.click(screen.getByRole('button', { name: 'Add a replica' }));
    expect(bridge.callsOf('scale')).toEqual([{ replicas: 4 }]);
    await waitFor(() => expect(scaled).toEqual([{ desired: 4, mode: 'manual' }]));
  });

  it('removes a replica with scale(desired - 1)', async () => {
    const { bridge } = renderScale(3);
    await userEvent.click(screen.getByRole('button', { name: 'Remove a replica' }));
    expect(bridge.callsOf('scale')).toEqual([{ replicas: 2 }]);
  });

  it('shows the desired count between the buttons', () => {
    renderScale(7);
    expect(screen.getByTestId('desired-count').textContent).toBe('7');
  });

  it('builds quick clicks on the count already asked for', async () => {
    const bridge = new FakeBridge();
    let release: () => void = () => {};
    bridge.answer('scale', (input) => new Promise((resolve) => (release = () => resolve({ result: { desired: (input as { replicas: number }).replicas, mode: 'manual' } }))));
    renderScale(3, 10, bridge);
    const add = screen.getByRole('button', { name: 'Add a replica' });
    await userEvent.click(add);
    await userEvent.click(add);
    expect(bridge.callsOf('scale')).toEqual([{ replicas: 4 }, { replicas: 5 }]);
    release();
  });

  it('disables - at zero replicas and keeps + enabled below maxReplicas', () => {
    renderScale(0, 4);
    expect((screen.getByRole('button', { name: 'Remove a replica' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Add a replica' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('disables + at maxReplicas', () => {
    renderScale(4, 4);
    expect((screen.getByRole('button', { name: 'Add a replica' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Remove a replica' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('shows the reason when the control plane refuses to scale', async () => {
    const bridge = new FakeBridge();
    bridge.answer('scale', () => ({ error: 'replicas: must be 100 or less', field: 'replicas' }));
    renderScale(3, 10, bridge);
    await userEvent.click(screen.getByRole('button', { name: 'Add a replica' }));
    expect((await screen.findByRole('alert')).textContent).toBe('replicas: must be 100 or less');
  });
});

function renderMode(mode: Settings['mode'], bridge = new FakeBridge()) {
  const modes: Settings['mode'][] = [];
  render(
    <BridgeContext.Provider value={bridge}>
      <ModeSwitch mode={mode} onMode={(next) => modes.push(next)} />
    </BridgeContext.Provider>,
  );
  return { bridge, modes };
}

describe('mode switch', () => {
  it('shows the current mode and switches to manual', async () => {
    const { bridge, modes } = renderMode('auto');
    expect((screen.getByRole('radio', { name: 'Auto' }) as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByRole('button', { name: 'Resume autoscaling' })).toBeNull();
    await userEvent.click(screen.getByRole('radio', { name: 'Manual' }));
    expect(bridge.callsOf('setMode')).toEqual([{ mode: 'manual' }]);
    await waitFor(() => expect(modes).toEqual(['manual']));
  });

  it('offers "Resume autoscaling" in manual mode, which sets the mode to auto', async () => {
    const { bridge, modes } = renderMode('manual');
    await userEvent.click(screen.getByRole('button', { name: 'Resume autoscaling' }));
    expect(bridge.callsOf('setMode')).toEqual([{ mode: 'auto' }]);
    await waitFor(() => expect(modes).toEqual(['auto']));
  });
});
