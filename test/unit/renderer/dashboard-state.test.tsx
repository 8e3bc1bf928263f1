// The dashboard reducer: events merged from stream and snapshots, command answers applied.
import { describe, expect, it } from 'vitest';
import type { ControlEvent } from '../../../electron/contract/contract.js';
import { dashboardReducer, initialDashboardState, mergeEvents } from '../../../renderer/dashboard-state.js';
import { makeServicesSnapshot, makeSnapshot, T0, viewOf } from './fake-bridge.js';

const event = (offset: number, message: string): ControlEvent => ({ at: T0 + offset, kind: 'scale', message });

describe('dashboard state', () => {
  it('keeps an event once when it arrives by the stream and again in a snapshot', () => {
    const streamed = dashboardReducer(initialDashboardState, { type: 'event', event: event(1, '1 -> 2') });
    const next = dashboardReducer(streamed, { type: 'snapshot', snapshot: makeSnapshot({ events: [event(0, 'start'), event(1, '1 -> 2')] }) });
    expect(next.events.map((e) => e.message)).toEqual(['start', '1 -> 2']);
  });

  it('bounds the event list, dropping the oldest', () => {
    const many = Array.from({ length: 50 }, (_, i) => event(i, `event ${i}`));
    const merged = mergeEvents([], many, 20);
    expect(merged).toHaveLength(20);
    expect(merged[0]?.message).toBe('event 30');
    expect(merged.at(-1)?.message).toBe('event 49');
  });

  it('keeps the shown parts of a new snapshot that did not change, so the panels showing them skip their render', () => {
    const first = dashboardReducer(initialDashboardState, { type: 'snapshot', snapshot: makeSnapshot() });
    const changed = makeSnapshot({ desired: 3 });
    changed.replicas = [...changed.replicas.slice(0, 1), { ...changed.replicas[1]!, state: 'draining' }];
    const next = dashboardReducer(first, { type: 'snapshot', snapshot: changed }).snapshot!;
    expect(next.settings).toBe(first.snapshot!.settings);
    expect(next.haproxy).toBe(first.snapshot!.haproxy);
    expect(next.checks).toBe(first.snapshot!.checks);
    expect(next.replicas).not.toBe(first.snapshot!.replicas);
    expect(next.replicas[1]?.state).toBe('draining');
    expect(next.desired).toBe(3);
  });

  it('applies a scale answer: the new desired count and the manual mode it switched to', () => {
    const state = dashboardReducer(initialDashboardState, { type: 'snapshot', snapshot: makeSnapshot({ desired: 2, mode: 'auto' }) });
    const next = dashboardReducer(state, { type: 'scaled', desired: 3, mode: 'manual' });
    expect(next.snapshot?.desired).toBe(3);
    expect(next.snapshot?.settings.mode).toBe('manual');
  });

  it('clears a load error once a snapshot arrives', () => {
    const failed = dashboardReducer(initialDashboardState, { type: 'loadError', error: 'Cannot reach the ScaleDeck server' });
    expect(failed.loadError).toBe('Cannot reach the ScaleDeck server');
    expect(dashboardReducer(failed, { type: 'snapshot', snapshot: makeSnapshot() }).loadError).toBeNull();
  });

  describe('with several services', () => {
    const base = makeSnapshot();
    const twoServices = () => dashboardReducer(initialDashboardState, { type: 'snapshot', snapshot: makeServicesSnapshot([viewOf('web', base), viewOf('api', base, { desired: 4 })]) });

    it('applies an answer for a named service to its view only', () => {
      const next = dashboardReducer(twoServices(), { type: 'scaled', desired: 6, mode: 'manual', service: 'api' });
      expect(next.snapshot!.services.map((view) => [view.name, view.desired, view.settings.mode])).toEqual([['web', 2, 'auto'], ['api', 6, 'manual']]);
      expect([next.snapshot!.desired, next.snapshot!.settings.mode]).toEqual([2, 'auto']);
    });

    it('applies an answer for the first service to its view and to the top-level fields, which are its own', () => {
      const next = dashboardReducer(twoServices(), { type: 'mode', mode: 'manual', service: 'web' });
      expect(next.snapshot!.services.map((view) => view.settings.mode)).toEqual(['manual', 'auto']);
      expect(next.snapshot!.settings.mode).toBe('manual');
    });

    it('keeps an unchanged service view as it was, so its row and cockpit skip their render', () => {
      const shown = twoServices();
      const again = makeServicesSnapshot([viewOf('web', base), viewOf('api', base, { desired: 5 })]);
      const next = dashboardReducer(shown, { type: 'snapshot', snapshot: again });
      expect(next.snapshot!.services[0]).toBe(shown.snapshot!.services[0]);
      expect(next.snapshot!.services[1]).not.toBe(shown.snapshot!.services[1]);
      expect(next.snapshot!.services[1]!.settings).toBe(shown.snapshot!.services[1]!.settings);
    });

    it('keeps two services events told in the same millisecond in the same words', () => {
      const merged = mergeEvents([], [{ ...event(1, '2 -> 3'), service: 'web' }, { ...event(1, '2 -> 3'), service: 'api' }]);
      expect(merged.map((e) => e.service)).toEqual(['web', 'api']);
    });
  });
});
