// The forecast card: the mode is a labelled choice written at once, the lead a bounded number written on commit, and a
// refusal shows the control plane's reason.
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../electron/contract/contract.js';
import { BridgeContext } from '../../../renderer/bridge-context.js';
import { ForecastPanel } from '../../../renderer/forecast-panel.js';
import { FakeBridge } from './fake-bridge.js';
import './setup.js';

function renderPanel(bridge = new FakeBridge()) {
  const applied: Settings[] = [];
  render(
    <BridgeContext.Provider value={bridge}>
      <ForecastPanel settings={bridge.snapshot.settings} onSettings={(settings) => applied.push(settings)} />
    </BridgeContext.Provider>,
  );
  return { bridge, applied };
}

const mode = () => screen.getByRole('combobox', { name: /Forecast from the last 7 days/ }) as HTMLSelectElement;
const lead = () => screen.getByRole('spinbutton', { name: /Scale out ahead by/ }) as HTMLInputElement;

describe('forecast panel', () => {
  it('offers the three modes and the lead within the range the settings accept', () => {
    renderPanel();
    expect(mode().value).toBe('show');
    expect([...mode().options].map((o) => o.value)).toEqual(['off', 'show', 'scale']);
    expect([lead().min, lead().max, lead().value]).toEqual(['0', '3600', '300']);
  });

  it('writes a chosen mode at once, and the lead when committed', async () => {
    const { bridge, applied } = renderPanel();
    fireEvent.change(mode(), { target: { value: 'scale' } });
    await waitFor(() => expect(applied.at(-1)?.forecast).toBe('scale'));
    fireEvent.change(lead(), { target: { value: '600' } });
    fireEvent.keyDown(lead(), { key: 'Enter' });
    await waitFor(() => expect(bridge.callsOf('updateSettings')).toEqual([{ forecast: 'scale' }, { forecastLeadS: 600 }]));
  });

  it("shows the control plane's refusal of a mode", async () => {
    const bridge = new FakeBridge();
    bridge.answer('updateSettings', () => ({ error: 'forecast: must be off, show or scale', field: 'forecast' }));
    renderPanel(bridge);
    fireEvent.change(mode(), { target: { value: 'off' } });
    expect((await screen.findByRole('alert')).textContent).toMatch(/must be off, show or scale/);
  });
});
