// The replica table (rows, ticking uptime, remove), the event log (newest first, holds collapsed) and the policy's wait.
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BridgeContext } from '../../../renderer/bridge-context.js';
import { EventLog } from '../../../renderer/event-log.js';
import { LiveFrame } from '../../../renderer/live-frame.js';
import { PolicyWaiting } from '../../../renderer/policy-waiting.js';
import { ReplicaTable } from '../../../renderer/replica-table.js';
import { SecondClockContext, standaloneClock } from '../../../renderer/second-clock.js';
import { FakeBridge, makeReplica, T0 } from './fake-bridge.js';
import './setup.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('replica table', () => {
  const replicas = [
    makeReplica({ id: 'a1', name: 'scaledeck-api-1', hostPort: 32768, state: 'ready', cpuPercent: 12.4, memBytes: 48 * 1024 * 1024, startedAt: T0 - 65_000, generation: 'latest 3fa2c1b0' }),
    makeReplica({ id: 'b2', name: 'scaledeck-api-2', hostPort: 32769, state: 'starting', cpuPercent: null, memBytes: null, startedAt: T0 - 3_000, generation: 'v2 9b8c7d6e' }),
  ];

  it('shows a row per replica with state, generation, port, CPU, memory and uptime', () => {
    vi.useFakeTimers({ now: T0, toFake: ['Date'] });
    render(
      <BridgeContext.Provider value={new FakeBridge()}>
        <ReplicaTable replicas={replicas} />
      </BridgeContext.Provider>,
    );
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    const cells = within(rows[0]!).getAllByRole('cell').map((cell) => cell.textContent);
    expect(cells.slice(0, 7)).toEqual(['scaledeck-api-1', 'ready', 'latest 3fa2c1b0', '32768', '12%', '48 MiB', '1m 05s']);
    const second = within(rows[1]!).getAllByRole('cell').map((cell) => cell.textContent);
    expect(second.slice(0, 7)).toEqual(['scaledeck-api-2', 'starting', 'v2 9b8c7d6e', '32769', '–', '–', '3s']);
    expect(screen.getByRole('columnheader', { name: 'Generation' })).toBeTruthy();
  });

  it('names each Swarm task\'s node in a Node column, and says why a task on another node has no stats', () => {
    const note = 'task abc has no container on this Docker engine (it runs on another node, whose engine ScaleDeck does not reach)';
    const swarm = [
      makeReplica({ id: 's1', name: 'web-1-abc123', state: 'ready', node: 'manager-1' }),
      makeReplica({ id: 's2', name: 'web-2-def456', state: 'ready', node: 'worker-1', cpuPercent: null, memBytes: null, note }),
    ];
    render(
      <BridgeContext.Provider value={new FakeBridge()}>
        <ReplicaTable replicas={swarm} />
      </BridgeContext.Provider>,
    );
    expect(screen.getByRole('columnheader', { name: 'Node' })).toBeTruthy();
    const rows = screen.getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent));
    expect(rows.map((cells) => cells[3])).toEqual(['manager-1', 'worker-1']);
    expect(rows[1]![1]).toContain('runs on another node');
  });

  it('has no Node column when no replica has a node (docker and process drivers)', () => {
    render(
      <BridgeContext.Provider value={new FakeBridge()}>
        <ReplicaTable replicas={replicas} />
      </BridgeContext.Provider>,
    );
    expect(screen.queryByRole('columnheader', { name: 'Node' })).toBeNull();
  });

  it('shows a warm spare as standby, says what it is, and offers no removal', () => {
    const spare = makeReplica({ id: 'c3', name: 'scaledeck-api-3', hostPort: 32770, state: 'standby', startedAt: T0 - 10_000 });
    render(
      <BridgeContext.Provider value={new FakeBridge()}>
        <ReplicaTable replicas={[...replicas, spare]} />
      </BridgeContext.Provider>,
    );
    const badge = screen.getByText('standby');
    expect(badge.getAttribute('title')).toMatch(/out of rotation/);
    expect((screen.getByRole('button', { name: 'Remove scaledeck-api-3' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Remove scaledeck-api-1' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('ticks the uptime every second on one clock, and stops the clock once no cell follows it', () => {
    vi.useFakeTimers({ now: T0 });
    const frames: (() => void)[] = [];
    const clock = standaloneClock(1000, new LiveFrame((draw) => frames.push(draw)));
    const { unmount } = render(
      <BridgeContext.Provider value={new FakeBridge()}>
        <SecondClockContext.Provider value={clock}>
          <ReplicaTable replicas={replicas} />
        </SecondClockContext.Provider>
      </BridgeContext.Provider>,
    );
    expect(screen.getByText('3s')).toBeTruthy();
    act(() => vi.advanceTimersByTime(2000));
    // Both cells are written in one frame per tick.
    act(() => frames.splice(0).forEach((frame) => frame()));
    expect(screen.getByText('5s')).toBeTruthy();
    expect(screen.getByText('1m 07s')).toBeTruthy();
    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('removes a replica by its id from its row', async () => {
    const bridge = new FakeBridge();
    render(
      <BridgeContext.Provider value={bridge}>
        <ReplicaTable replicas={replicas} />
      </BridgeContext.Provider>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Remove scaledeck-api-2' }));
    expect(bridge.callsOf('removeReplica')).toEqual([{ id: 'b2' }]);
  });

  it('says why a removal failed', async () => {
    const bridge = new FakeBridge();
    bridge.answer('removeReplica', () => ({ error: 'no replica b2 is running', field: 'id' }));
    render(
      <BridgeContext.Provider value={bridge}>
        <ReplicaTable replicas={replicas} />
      </BridgeContext.Provider>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Remove scaledeck-api-2' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Could not remove scaledeck-api-2: no replica b2 is running');
  });

  it('says so when no replica runs', () => {
    render(
      <BridgeContext.Provider value={new FakeBridge()}>
        <ReplicaTable replicas={[]} />
      </BridgeContext.Provider>,
    );
    expect(screen.getByText('No replicas are running.')).toBeTruthy();
  });
});

describe('event log', () => {
  it('lists events newest first with time, kind and the reason', () => {
    render(
      <EventLog
        events={[
          { at: T0, kind: 'replica', message: 'scaledeck-api-3 is ready' },
          { at: T0 + 5000, kind: 'scale', message: '2 -> 3: replica CPU 86% > 70% for 3 samples' },
        ]}
      />,
    );
    const items = screen.getAllByRole('listitem');
    expect(items.map((item) => item.querySelector('.message')?.textContent)).toEqual([
      '2 -> 3: replica CPU 86% > 70% for 3 samples',
      'scaledeck-api-3 is ready',
    ]);
    expect(items[0]!.querySelector('.kind')?.textContent).toBe('scale');
    expect(items[0]!.querySelector('time')?.getAttribute('datetime')).toBe(new Date(T0 + 5000).toISOString());
  });

  it('says so when nothing happened yet', () => {
    render(<EventLog events={[]} />);
    expect(screen.getByText('Nothing has happened yet.')).toBeTruthy();
  });

  it('collapses consecutive holds for the same reason into one row, and hides holds on request', () => {
    const holds = [
      { at: T0, kind: 'hold' as const, message: 'held 14 s: scale-down cooldown 30 s, 16 s left' },
      { at: T0 + 20_000, kind: 'hold' as const, message: 'held 3 s: scale-down cooldown 30 s, 16 s left' },
      { at: T0 + 30_000, kind: 'scale' as const, message: '3 -> 2: replica CPU 12% < 30% for 3 samples' },
      { at: T0 + 40_000, kind: 'hold' as const, message: 'held 2 s: scale-up breach 1 of 3 samples' },
    ];
    render(<EventLog events={holds} />);
    const messages = () => screen.queryAllByRole('listitem').map((item) => item.querySelector('.message')?.textContent);
    expect(messages()).toEqual([
      'held 2 s: scale-up breach 1 of 3 samples',
      '3 -> 2: replica CPU 12% < 30% for 3 samples',
      'held 3 s: scale-down cooldown 30 s, 16 s left (2 times)',
    ]);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Show holds' }));
    expect(messages()).toEqual(['3 -> 2: replica CPU 12% < 30% for 3 samples']);
  });
});

describe('what the policy waits for', () => {
  it('reads the snapshot, or says nothing is held back', () => {
    const { rerender } = render(<PolicyWaiting policy={{ waitingFor: 'scale-down cooldown 30 s, 16 s left', schedule: { open: null, next: null } }} />);
    expect(screen.getByRole('status').textContent).toBe('Waiting for: scale-down cooldown 30 s, 16 s left');
    rerender(<PolicyWaiting policy={{ waitingFor: null, schedule: { open: null, next: null } }} />);
    expect(screen.getByRole('status').textContent).toBe('Waiting for: nothing (no change held back)');
  });
});
