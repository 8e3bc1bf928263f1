// The rollout in the status area: progress while it runs; the reason, Roll back and Retry when a bad version paused it.
import { render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { RolloutView } from '../../../electron/contract/contract.js';
import { BridgeContext } from '../../../renderer/bridge-context.js';
import { RolloutStatus } from '../../../renderer/rollout-status.js';
import { FakeBridge, idleRollout } from './fake-bridge.js';
import './setup.js';

const running: RolloutView = { ...idleRollout, state: 'running', from: 'latest 3fa2c1b0', to: 'v2 9b8c7d6e', replaced: 2, total: 4, canRollBack: true };
const paused: RolloutView = { ...running, state: 'paused', replaced: 0, total: 2, reason: 'no new replica of v2 9b8c7d6e became ready within 60 s' };

function show(rollout: RolloutView, bridge = new FakeBridge()) {
  render(
    <BridgeContext.Provider value={bridge}>
      <RolloutStatus rollout={rollout} />
    </BridgeContext.Provider>,
  );
  return bridge;
}

describe('rollout status', () => {
  it('shows nothing when no rollout runs', () => {
    show(idleRollout);
    expect(screen.queryByRole('heading', { name: /rollout|rolling/i })).toBeNull();
  });

  it('shows which version replaces which and "2 of 4 replaced", without the paused actions', () => {
    show(running);
    expect(screen.getByRole('heading', { name: 'Rolling out' })).toBeTruthy();
    expect(screen.getByText('latest 3fa2c1b0 → v2 9b8c7d6e')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('2 of 4 replaced');
    const progress = screen.getByRole('progressbar', { name: 'Replicas replaced' }) as HTMLProgressElement;
    expect([progress.value, progress.max]).toEqual([2, 4]);
    expect(screen.queryByRole('button', { name: 'Roll back' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('says why it paused and rolls back from the keyboard', async () => {
    const bridge = show(paused);
    expect(screen.getByRole('heading', { name: 'Rollout paused' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('The old replicas keep serving: no new replica of v2 9b8c7d6e became ready within 60 s');
    await userEvent.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Roll back' }));
    await userEvent.keyboard('{Enter}');
    expect(bridge.callsOf('rollback')).toEqual([undefined]);
  });

  it('retries from the keyboard', async () => {
    const bridge = show(paused);
    await userEvent.tab();
    await userEvent.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Retry' }));
    await userEvent.keyboard(' ');
    expect(bridge.callsOf('retryRollout')).toEqual([undefined]);
  });

  it('offers no rollback when there is nothing to roll back to', () => {
    show({ ...paused, canRollBack: false });
    expect((screen.getByRole('button', { name: 'Roll back' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('says why a command was refused', async () => {
    const bridge = new FakeBridge();
    bridge.answer('retryRollout', () => ({ error: 'No rollout is paused' }));
    show(paused, bridge);
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(screen.getAllByRole('alert').map((a) => a.textContent)).toContain('No rollout is paused');
  });
});
