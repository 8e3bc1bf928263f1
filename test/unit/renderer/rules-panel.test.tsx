// The extra scaling rules and the latency readout: adding, removing and moving rules by keyboard, written as `rules`;
// a rejected value beside its field; p50/p95 beside the request chart.
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../electron/contract/contract.js';
import { defaultSettings, type ScalingRule } from '../../../electron/contract/settings-schema.js';
import { BridgeContext } from '../../../renderer/bridge-context.js';
import { HistoryFeed } from '../../../renderer/history-feed.js';
import { LiveFrame } from '../../../renderer/live-frame.js';
import { LatencyReadout, latencyRulesOf } from '../../../renderer/latency-readout.js';
import { newRule, RulesPanel, withThreshold } from '../../../renderer/rules-panel.js';
import { SETTINGS_DEBOUNCE_MS } from '../../../renderer/settings-panel.js';
import { FakeBridge, makeSample, T0 } from './fake-bridge.js';
import { pressArrow } from './setup.js';

const cpuRule = defaultSettings.rules[0] as ScalingRule;
const latencyRule: ScalingRule = { metric: 'latency-p95', scaleUpThreshold: 200, scaleDownThreshold: 50, targetValue: 150 };

function renderPanel(rules: ScalingRule[] = [cpuRule], bridge = new FakeBridge()) {
  const applied: Settings[] = [];
  const settings = { ...bridge.snapshot.settings, rules };
  const view = render(
    <BridgeContext.Provider value={bridge}>
      <RulesPanel settings={settings} onSettings={(next) => applied.push(next)} />
    </BridgeContext.Provider>,
  );
  return { bridge, applied, view };
}

describe('more rules', () => {
  it('adds a rule on the first unused metric, written at once as the whole list', async () => {
    const { bridge } = renderPanel();
    const add = screen.getByRole('button', { name: 'Add rule' });
    add.focus();
    fireEvent.click(add);
    expect((screen.getByRole('combobox', { name: 'Rule 2 scales on' }) as HTMLSelectElement).value).toBe('latency-p95');
    expect((screen.getByRole('slider', { name: 'Rule 2: scale up above' }) as HTMLInputElement).getAttribute('aria-valuetext')).toBe('200 ms');
    await waitFor(() => expect(bridge.callsOf('updateSettings')).toEqual([{ rules: [cpuRule, latencyRule] }]));
  });

  it('moves a rule\'s slider by keyboard and writes it once, debounced', async () => {
    const { bridge, applied } = renderPanel([cpuRule, latencyRule]);
    const up = screen.getByRole('slider', { name: 'Rule 2: scale up above' });
    pressArrow(up, 'ArrowRight');
    pressArrow(up, 'ArrowRight');
    expect(bridge.callsOf('updateSettings')).toEqual([]);
    await waitFor(() => expect(bridge.callsOf('updateSettings')).toEqual([{ rules: [cpuRule, { ...latencyRule, scaleUpThreshold: 202 }] }]), { timeout: SETTINGS_DEBOUNCE_MS * 4 });
    await waitFor(() => expect(applied.at(-1)?.rules).toEqual([cpuRule, { ...latencyRule, scaleUpThreshold: 202 }]));
  });

  it('removes a rule by its named button', async () => {
    const { bridge } = renderPanel([cpuRule, latencyRule]);
    fireEvent.click(screen.getByRole('button', { name: 'Remove rule 2' }));
    expect(screen.queryByRole('slider', { name: 'Rule 2: scale up above' })).toBeNull();
    await waitFor(() => expect(bridge.callsOf('updateSettings')).toEqual([{ rules: [cpuRule] }]));
  });

  it('offers no fifth rule', () => {
    renderPanel([cpuRule, latencyRule, latencyRule, latencyRule]);
    expect((screen.getByRole('button', { name: 'Add rule' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows a rejected value beside its field and returns to the saved rules', async () => {
    const bridge = new FakeBridge();
    bridge.answer('updateSettings', () => ({ error: 'rules.1.scaleUpThreshold: must be 10000 or less', field: 'rules.1.scaleUpThreshold' }));
    renderPanel([cpuRule, latencyRule], bridge);
    pressArrow(screen.getByRole('slider', { name: 'Rule 2: scale up above' }), 'ArrowRight');
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'rules.1.scaleUpThreshold: must be 10000 or less');
    expect((screen.getByRole('slider', { name: 'Rule 2: scale up above' }) as HTMLInputElement).value).toBe('200');
  });

  it('keeps each rule\'s down-threshold below its up-threshold', () => {
    expect(withThreshold(latencyRule, 'scaleDownThreshold', 500)).toMatchObject({ scaleDownThreshold: 199, scaleUpThreshold: 200 });
    expect(withThreshold(latencyRule, 'scaleUpThreshold', 10)).toMatchObject({ scaleUpThreshold: 51 });
    expect(newRule([cpuRule, latencyRule]).metric).toBe('replica-memory');
  });
});

describe('latency readout', () => {
  it('shows the latest p50 and p95 and the latency rule it is held against', () => {
    const feed = new HistoryFeed();
    feed.load([makeSample(T0, { latencyP50Ms: 12.4, latencyP95Ms: 240 })]);
    render(<LatencyReadout feed={feed} latencyRules={latencyRulesOf([cpuRule, { ...latencyRule, scaleUpThreshold: 150, scaleDownThreshold: 40 }])} />);
    const readout = screen.getByRole('region', { name: 'Request latency' });
    expect(readout.textContent).toContain('p5012 ms');
    expect(readout.textContent).toContain('p95240 ms');
    expect(readout.textContent).toContain('p95 rule: up above 150 ms, down below 40 ms');
    expect(readout.querySelector('.above-threshold')).not.toBeNull();
  });

  it('follows each published sample in the live frame, marking p95 above a rule\'s up-threshold', () => {
    const queued: (() => void)[] = [];
    const feed = new HistoryFeed(() => T0, new LiveFrame((callback) => queued.push(callback)));
    feed.load([makeSample(T0, { latencyP50Ms: 10, latencyP95Ms: 20 })]);
    render(<LatencyReadout feed={feed} latencyRules={latencyRulesOf([{ ...latencyRule, scaleUpThreshold: 150, scaleDownThreshold: 40 }])} />);
    const readout = screen.getByRole('region', { name: 'Request latency' });
    expect(readout.textContent).toContain('p9520 ms');
    expect(readout.querySelector('.above-threshold')).toBeNull();
    feed.add(makeSample(T0 + 1000, { latencyP50Ms: 30, latencyP95Ms: 400 }));
    feed.publish();
    act(() => queued.splice(0).forEach((callback) => callback()));
    expect(readout.textContent).toContain('p5030 ms');
    expect(readout.textContent).toContain('p95400 ms');
    expect(readout.querySelector('.above-threshold')).not.toBeNull();
  });

  it('shows a dash when no request ended in the interval', () => {
    const feed = new HistoryFeed();
    act(() => feed.load([makeSample(T0, { latencyP50Ms: null, latencyP95Ms: null })]));
    render(<LatencyReadout feed={feed} latencyRules={latencyRulesOf([cpuRule])} />);
    expect(screen.getByRole('region', { name: 'Request latency' }).textContent).toContain('p95–');
  });
});
