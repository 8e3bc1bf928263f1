// Spares and rollouts: each field is labelled, bounded by the schema, written once when committed, and a refusal
// shows the control plane's reason and snaps back.
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../electron/contract/contract.js';
import { BridgeContext } from '../../../renderer/bridge-context.js';
import { LifecyclePanel } from '../../../renderer/lifecycle-panel.js';
import { FakeBridge } from './fake-bridge.js';
import './setup.js';

function renderPanel(bridge = new FakeBridge()) {
  const applied: Settings[] = [];
  render(
    <BridgeContext.Provider value={bridge}>
      <LifecyclePanel settings={bridge.snapshot.settings} onSettings={(settings) => applied.push(settings)} />
    </BridgeContext.Provider>,
  );
  return { bridge, applied };
}

const field = (name: RegExp) => screen.getByRole('spinbutton', { name }) as HTMLInputElement;

describe('spares and rollouts', () => {
  it('labels each field with its unit and the range the settings accept', () => {
    renderPanel();
    expect(field(/Warm spares/).value).toBe('0');
    expect([field(/Warm spares/).min, field(/Warm spares/).max]).toEqual(['0', '10']);
    expect([field(/Hold at zero/).min, field(/Hold at zero/).max]).toEqual(['1', '300']);
    expect(field(/Rollout deadline/).value).toBe('60');
    expect(field(/Slow start/).getAttribute('aria-describedby')).toBeTruthy();
  });

  it('writes a value once, when the person presses Enter, and not while typing', async () => {
    const { bridge, applied } = renderPanel();
    fireEvent.change(field(/Warm spares/), { target: { value: '2' } });
    expect(bridge.callsOf('updateSettings')).toEqual([]);
    fireEvent.keyDown(field(/Warm spares/), { key: 'Enter' });
    await waitFor(() => expect(applied.at(-1)?.standbyReplicas).toBe(2));
    expect(bridge.callsOf('updateSettings')).toEqual([{ standbyReplicas: 2 }]);
  });

  it('writes on leaving the field, and Escape puts the saved value back without writing', async () => {
    const { bridge } = renderPanel();
    fireEvent.change(field(/Slow start/), { target: { value: '30' } });
    fireEvent.keyDown(field(/Slow start/), { key: 'Escape' });
    expect(field(/Slow start/).value).toBe('0');
    fireEvent.change(field(/Hold at zero/), { target: { value: '45' } });
    fireEvent.blur(field(/Hold at zero/));
    await waitFor(() => expect(bridge.callsOf('updateSettings')).toEqual([{ holdTimeoutS: 45 }]));
  });

  it("shows the control plane's refusal beside the field and snaps back", async () => {
    const bridge = new FakeBridge();
    bridge.answer('updateSettings', () => ({ error: 'standbyReplicas: is not supported by the swarm driver', field: 'standbyReplicas' }));
    renderPanel(bridge);
    fireEvent.change(field(/Warm spares/), { target: { value: '3' } });
    fireEvent.keyDown(field(/Warm spares/), { key: 'Enter' });
    expect((await screen.findByRole('alert')).textContent).toMatch(/not supported by the swarm driver/);
    expect(field(/Warm spares/).value).toBe('0');
    expect(field(/Warm spares/).getAttribute('aria-invalid')).toBe('true');
  });
});
