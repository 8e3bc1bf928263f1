// The scaling-rule sliders: labels, debounced writes, rejected values, sliders that never cross.
import { act, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../electron/contract/contract.js';
import { BridgeContext } from '../../../renderer/bridge-context.js';
import { SETTINGS_DEBOUNCE_MS, SettingsPanel } from '../../../renderer/settings-panel.js';
import { createThresholdPreview } from '../../../renderer/threshold-preview.js';
import { FakeBridge } from './fake-bridge.js';
import { pressArrow } from './setup.js';

function renderPanel(bridge = new FakeBridge()) {
  const preview = createThresholdPreview();
  const applied: Settings[] = [];
  const view = render(
    <BridgeContext.Provider value={bridge}>
      <SettingsPanel settings={bridge.snapshot.settings} preview={preview} onSettings={(settings) => applied.push(settings)} />
    </BridgeContext.Provider>,
  );
  return { bridge, preview, applied, view };
}

const slider = (name: string) => screen.getByRole('slider', { name }) as HTMLInputElement;

describe('settings sliders', () => {
  it('labels every slider and shows its value', () => {
    renderPanel();
    expect(slider('Scale up above').value).toBe('70');
    expect(slider('Scale up above').getAttribute('aria-valuetext')).toBe('70%');
    expect(slider('Scale down below').value).toBe('30');
    expect(slider('Minimum replicas').value).toBe('1');
    expect(slider('Maximum replicas').value).toBe('10');
    expect(slider('Scale-up cooldown').value).toBe('5');
    expect(slider('Scale-down cooldown').value).toBe('30');
    expect(screen.getByText('70%')).toBeTruthy();
  });

  it('writes a keyboard change once, debounced, with only the changed field', async () => {
    const { bridge, applied } = renderPanel();
    pressArrow(slider('Scale up above'), 'ArrowRight');
    pressArrow(slider('Scale up above'), 'ArrowRight');
    expect(slider('Scale up above').value).toBe('72');
    expect(bridge.callsOf('updateSettings')).toEqual([]);
    await waitFor(() => expect(bridge.callsOf('updateSettings')).toEqual([{ scaleUpThreshold: 72 }]), { timeout: SETTINGS_DEBOUNCE_MS * 4 });
    await waitFor(() => expect(applied.at(-1)?.scaleUpThreshold).toBe(72));
  });

  it('sends changes to several sliders made within the debounce as one patch', async () => {
    const { bridge } = renderPanel();
    pressArrow(slider('Scale-down cooldown'), 'ArrowLeft');
    pressArrow(slider('Maximum replicas'), 'ArrowRight');
    await waitFor(() => expect(bridge.callsOf('updateSettings')).toEqual([{ scaleDownCooldownS: 29, maxReplicas: 11 }]));
  });

  it('shows a rejected value next to its slider and returns the slider to the server value', async () => {
    const bridge = new FakeBridge();
    bridge.answer('updateSettings', () => ({ error: 'scaleDownCooldownS: must be 3600 or less', field: 'scaleDownCooldownS' }));
    renderPanel(bridge);
    pressArrow(slider('Scale-down cooldown'), 'ArrowRight');
    expect(slider('Scale-down cooldown').value).toBe('31');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('scaleDownCooldownS: must be 3600 or less');
    expect(slider('Scale-down cooldown').value).toBe('30');
    expect(slider('Scale-down cooldown').getAttribute('aria-describedby')).toBe(alert.id);
  });

  it('keeps the scale-down threshold below the scale-up threshold', async () => {
    const bridge = new FakeBridge();
    bridge.snapshot.settings = { ...bridge.snapshot.settings, rules: [{ ...bridge.snapshot.settings.rules[0]!, scaleUpThreshold: 40, scaleDownThreshold: 39 }] };
    renderPanel(bridge);
    pressArrow(slider('Scale down below'), 'ArrowRight');
    expect(slider('Scale down below').value).toBe('39');
    pressArrow(slider('Scale up above'), 'ArrowLeft');
    expect(slider('Scale up above').value).toBe('40');
    await act(() => new Promise((resolve) => setTimeout(resolve, SETTINGS_DEBOUNCE_MS * 2)));
    expect(bridge.callsOf('updateSettings')).toEqual([]);
  });

  it('keeps the minimum replicas at or below the maximum', () => {
    const bridge = new FakeBridge();
    bridge.snapshot.settings = { ...bridge.snapshot.settings, minReplicas: 3, maxReplicas: 3 };
    renderPanel(bridge);
    pressArrow(slider('Minimum replicas'), 'ArrowRight');
    pressArrow(slider('Maximum replicas'), 'ArrowLeft');
    expect(slider('Minimum replicas').value).toBe('3');
    expect(slider('Maximum replicas').value).toBe('3');
  });

  it('previews a dragged threshold to the charts before the write lands, and clears it after', async () => {
    const { preview, bridge } = renderPanel();
    pressArrow(slider('Scale down below'), 'ArrowLeft');
    expect(preview.get().scaleDownThreshold).toBe(29);
    await waitFor(() => expect(bridge.callsOf('updateSettings')).toHaveLength(1));
    await waitFor(() => expect(preview.get().scaleDownThreshold).toBeUndefined());
  });

  it('switches the scaling metric at once and shows why a switch is refused', async () => {
    const bridge = new FakeBridge();
    bridge.answer('updateSettings', () => ({ error: 'scaleUpThreshold: is a CPU percentage here and must be 100 or less', field: 'scaleUpThreshold' }));
    renderPanel(bridge);
    const select = screen.getByRole('combobox', { name: 'Scale on' }) as HTMLSelectElement;
    await act(async () => {
      select.value = 'host-cpu';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(bridge.callsOf('updateSettings')).toEqual([{ metric: 'host-cpu' }]);
    expect((await screen.findByRole('alert')).textContent).toContain('must be 100 or less');
  });
});
