// The pause switches and the schedule editor: labelled, keyboard-operable, axe-clean in jsdom; a switch writes its
// setting, and the editor saves the list and shows a refusal beside the field the control plane names.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../electron/contract/contract.js';
import { BridgeContext } from '../../../renderer/bridge-context.js';
import { PauseSwitches } from '../../../renderer/pause-switches.js';
import { PolicyWaiting } from '../../../renderer/policy-waiting.js';
import { ScheduleEditor, schedulesOf } from '../../../renderer/schedule-editor.js';
import { FakeBridge } from './fake-bridge.js';
import './setup.js';

/** axe's usual rules, less colour contrast, which jsdom cannot lay out. */
async function axeViolations(container: HTMLElement): Promise<string[]> {
  const results = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

function renderWith(bridge: FakeBridge, element: (onSettings: (s: Settings) => void) => React.ReactElement) {
  const applied: Settings[] = [];
  const view = render(<BridgeContext.Provider value={bridge}>{element((s) => applied.push(s))}</BridgeContext.Provider>);
  return { applied, ...view };
}

describe('pause switches', () => {
  it('are two labelled switches, off by default, and axe-clean', async () => {
    const { container } = renderWith(new FakeBridge(), (onSettings) => <PauseSwitches pauseScaleOut={false} pauseScaleIn={false} onSettings={onSettings} />);
    const out = screen.getByRole('switch', { name: 'Pause scale-out' }) as HTMLInputElement;
    const inward = screen.getByRole('switch', { name: 'Pause scale-in' }) as HTMLInputElement;
    expect([out.checked, inward.checked]).toEqual([false, false]);
    expect(screen.getByRole('group', { name: 'Pauses' })).toBeTruthy();
    expect(await axeViolations(container)).toEqual([]);
  });

  it('write their own setting when toggled from the keyboard (space on the focused switch)', async () => {
    const bridge = new FakeBridge();
    const { applied } = renderWith(bridge, (onSettings) => <PauseSwitches pauseScaleOut={false} pauseScaleIn={false} onSettings={onSettings} />);
    const inward = screen.getByRole('switch', { name: 'Pause scale-in' });
    inward.focus();
    expect(document.activeElement).toBe(inward);
    // A checkbox toggles on space as a click: jsdom does the click, the browser does the key.
    fireEvent.click(inward);
    await waitFor(() => expect(applied.at(-1)?.pauseScaleIn).toBe(true));
    expect(bridge.callsOf('updateSettings')).toEqual([{ pauseScaleIn: true }]);
  });

  it('show the control plane\'s refusal', async () => {
    const bridge = new FakeBridge();
    bridge.answer('updateSettings', () => ({ error: 'pauseScaleOut: expected boolean', field: 'pauseScaleOut' }));
    renderWith(bridge, (onSettings) => <PauseSwitches pauseScaleOut={false} pauseScaleIn={false} onSettings={onSettings} />);
    fireEvent.click(screen.getByRole('switch', { name: 'Pause scale-out' }));
    expect((await screen.findByRole('alert')).textContent).toBe('pauseScaleOut: expected boolean');
  });
});

const morning = { name: 'weekday-morning', cron: '0 9 * * 1-5', durationMin: 180, minReplicas: 4, timezone: 'Europe/Berlin' };

describe('schedule editor', () => {
  const withSchedules = (bridge: FakeBridge, schedules: Settings['schedules']) => {
    bridge.snapshot = { ...bridge.snapshot, settings: { ...bridge.snapshot.settings, schedules } };
    return bridge;
  };

  it('lists each window with labelled fields, and is axe-clean', async () => {
    const bridge = withSchedules(new FakeBridge(), [morning]);
    const { container } = renderWith(bridge, (onSettings) => <ScheduleEditor settings={bridge.snapshot.settings} onSettings={onSettings} />);
    const window = within(screen.getByRole('group', { name: 'Window 1' }));
    expect((window.getByLabelText('Name') as HTMLInputElement).value).toBe('weekday-morning');
    expect((window.getByLabelText('Cron (5 fields)') as HTMLInputElement).value).toBe('0 9 * * 1-5');
    expect((window.getByLabelText('Max replicas') as HTMLInputElement).value).toBe('');
    expect((screen.getByRole('button', { name: 'Save schedules' }) as HTMLButtonElement).disabled).toBe(true);
    expect(await axeViolations(container)).toEqual([]);
  });

  it('adds, edits and removes windows, then saves the whole list once', async () => {
    const bridge = withSchedules(new FakeBridge(), [morning]);
    const { applied } = renderWith(bridge, (onSettings) => <ScheduleEditor settings={bridge.snapshot.settings} onSettings={onSettings} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add window' }));
    const second = within(screen.getByRole('group', { name: 'Window 2' }));
    fireEvent.change(second.getByLabelText('Name'), { target: { value: 'evening' } });
    fireEvent.change(second.getByLabelText('Cron (5 fields)'), { target: { value: '0 18 * * *' } });
    fireEvent.change(second.getByLabelText('Max replicas'), { target: { value: '20' } });
    fireEvent.click(screen.getByRole('button', { name: 'Remove window 1' }));
    expect(bridge.callsOf('updateSettings')).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Save schedules' }));
    await waitFor(() => expect(applied).toHaveLength(1));
    expect(bridge.callsOf('updateSettings')).toEqual([{ schedules: [{ name: 'evening', cron: '0 18 * * *', durationMin: 60, minReplicas: 2, maxReplicas: 20 }] }]);
  });

  it('shows a refusal beside the field it names, and keeps the edit', async () => {
    const bridge = withSchedules(new FakeBridge(), [morning]);
    bridge.answer('updateSettings', () => ({ error: 'schedules.0.cron: must be a 5-field cron (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5"; found 4 field(s)', field: 'schedules.0.cron' }));
    renderWith(bridge, (onSettings) => <ScheduleEditor settings={bridge.snapshot.settings} onSettings={onSettings} />);
    const cron = screen.getByLabelText('Cron (5 fields)') as HTMLInputElement;
    fireEvent.change(cron, { target: { value: '0 9 * *' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save schedules' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/^schedules\.0\.cron: must be a 5-field cron/);
    expect(cron.getAttribute('aria-invalid')).toBe('true');
    expect(cron.getAttribute('aria-describedby')).toBe(alert.id);
    expect(cron.value).toBe('0 9 * *');
    fireEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
    expect((screen.getByLabelText('Cron (5 fields)') as HTMLInputElement).value).toBe('0 9 * * 1-5');
  });

  it('keeps an edit in progress across snapshots, and shows a list saved elsewhere when not editing', () => {
    const bridge = withSchedules(new FakeBridge(), [morning]);
    const editor = (schedules: Settings['schedules']) => (
      <BridgeContext.Provider value={bridge}>
        <ScheduleEditor settings={{ ...bridge.snapshot.settings, schedules }} onSettings={() => undefined} />
      </BridgeContext.Provider>
    );
    const { rerender } = render(editor([morning]));
    rerender(editor([{ ...morning, name: 'renamed-elsewhere' }]));
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('renamed-elsewhere');
    fireEvent.change(screen.getByLabelText('Duration (min)'), { target: { value: '90' } });
    rerender(editor([{ ...morning, name: 'renamed-elsewhere' }]));
    expect((screen.getByLabelText('Duration (min)') as HTMLInputElement).value).toBe('90');
  });

  it('sends what is not a number as typed, so the control plane names the field', () => {
    const draft = { name: 'a', cron: '* * * * *', durationMin: 'ten', minReplicas: '', maxReplicas: '3', timezone: ' UTC ' };
    expect(schedulesOf([draft])).toEqual([{ name: 'a', cron: '* * * * *', durationMin: 'ten', maxReplicas: 3, timezone: 'UTC' }]);
  });
});

describe('waiting for, with schedules', () => {
  it('names the next window when nothing is held back and none is open', () => {
    render(<PolicyWaiting policy={{ waitingFor: null, schedule: { open: null, next: 'next window "office" at Mon 09:00 (min 4 for 480 min)' } }} />);
    expect(screen.getByRole('status').textContent).toBe('Waiting for: next window "office" at Mon 09:00 (min 4 for 480 min)');
  });

  it('tells the open window beside a hold', () => {
    render(<PolicyWaiting policy={{ waitingFor: 'scale-down cooldown 30 s, 16 s left', schedule: { open: 'schedule "office" open (min 4 until 17:00)', next: null } }} />);
    expect(screen.getByRole('status').textContent).toBe('Waiting for: scale-down cooldown 30 s, 16 s left' + 'Schedule: schedule "office" open (min 4 until 17:00)');
  });
});
