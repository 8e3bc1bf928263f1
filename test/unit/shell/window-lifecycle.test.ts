// Specification of the desktop app's lifecycle: what the window shows and which commands it takes, from start to quit.
import { describe, expect, it } from 'vitest';
import {
  commandRefusal, initialLifecycle, nextLifecycle, shouldShutDown, shutdownDeadlineMs, windowMayClose, windowView,
  type LifecycleEvent, type LifecycleState,
} from '../../../electron/shells/desktop/window-lifecycle.js';
import { statusPageHtml, statusPageUrl } from '../../../electron/shells/desktop/status-page.js';

const T0 = 1_700_000_000_000;
const run = (...events: LifecycleEvent[]): LifecycleState => events.reduce(nextLifecycle, initialLifecycle());
const quit = (overrides: Partial<Extract<LifecycleEvent, { type: 'quitRequested' }>> = {}): LifecycleEvent =>
  ({ type: 'quitRequested', nowMs: T0, drainTimeoutS: 30, replicas: 3, keepRunning: false, ...overrides });

describe('starting', () => {
  it('shows a starting view at once, then what the control plane is doing', () => {
    expect(windowView(initialLifecycle(), T0)).toEqual({ kind: 'status', title: 'ScaleDeck is starting', detail: 'Opening the data folder' });
    const state = run({ type: 'progress', step: 'Docker engine 26.1 answers' });
    expect(windowView(state, T0)).toEqual({ kind: 'status', title: 'ScaleDeck is starting', detail: 'Docker engine 26.1 answers' });
  });

  it('takes no command before the control plane runs', () => {
    expect(commandRefusal(initialLifecycle())).toEqual({ error: 'ScaleDeck is still starting' });
  });

  it('shows the dashboard and takes commands once started; later progress lines change nothing', () => {
    const state = run({ type: 'started' }, { type: 'progress', step: 'replica 2 ready' });
    expect(state).toEqual({ phase: 'running' });
    expect(windowView(state, T0)).toEqual({ kind: 'dashboard' });
    expect(commandRefusal(state)).toBeNull();
  });

  it('ends stopped with the reason when the start fails, and lets the window close', () => {
    const state = run({ type: 'startFailed', error: 'HAProxy was not found' });
    expect(state).toEqual({ phase: 'stopped', error: 'HAProxy was not found' });
    expect(windowView(state, T0)).toMatchObject({ kind: 'status', detail: 'HAProxy was not found' });
    expect(windowMayClose(state)).toBe(true);
  });
});

describe('stopping', () => {
  it('shows "stopping: draining N replicas" with the time left, counting down as replicas drain', () => {
    let state = run({ type: 'started' }, quit());
    expect(windowView(state, T0)).toEqual({ kind: 'status', title: 'stopping: draining 3 replicas', detail: 'Requests in flight finish first; at most 75 s' });
    state = nextLifecycle(state, { type: 'draining', replicas: 1 });
    expect(windowView(state, T0 + 10_000)).toEqual({ kind: 'status', title: 'stopping: draining 1 replica', detail: 'Requests in flight finish first; at most 65 s' });
    expect(windowView(state, T0 + 600_000)).toMatchObject({ detail: 'Requests in flight finish first; at most 0 s' });
    expect(nextLifecycle(state, { type: 'draining', replicas: 1 })).toBe(state);
  });

  it('sets the deadline from drainTimeoutS: the drain, the control plane\'s 15 s, and 30 s for HAProxy', () => {
    expect(shutdownDeadlineMs(T0, 600)).toBe(T0 + 645_000);
    const state = run({ type: 'started' }, quit({ drainTimeoutS: 600 }));
    expect(state).toMatchObject({ phase: 'stopping', deadlineMs: T0 + 645_000 });
  });

  it('refuses every command once stopping, and keeps the window until stopped', () => {
    const state = run({ type: 'started' }, quit());
    expect(commandRefusal(state)).toEqual({ error: 'ScaleDeck is shutting down' });
    expect(windowMayClose(state)).toBe(false);
    expect(shouldShutDown(state)).toBe(true);
    const stopped = nextLifecycle(state, { type: 'stopped' });
    expect(stopped).toEqual({ phase: 'stopped' });
    expect(commandRefusal(stopped)).toEqual({ error: 'ScaleDeck is shutting down' });
    expect(windowMayClose(stopped)).toBe(true);
  });

  it('a second quit changes nothing: the deadline stays the first one', () => {
    const first = run({ type: 'started' }, quit());
    expect(nextLifecycle(first, quit({ nowMs: T0 + 20_000, drainTimeoutS: 600 }))).toBe(first);
  });

  it('with keepRunningOnQuit, says the replicas keep serving instead of counting a drain', () => {
    const state = run({ type: 'started' }, quit({ keepRunning: true }), { type: 'draining', replicas: 2 });
    expect(windowView(state, T0)).toEqual({ kind: 'status', title: 'stopping: HAProxy and the replicas keep serving', detail: 'Detaching from them' });
  });

  it('a quit during the start waits for the start, then shuts down what started', () => {
    let state = run(quit({ replicas: 0 }));
    expect(shouldShutDown(state)).toBe(false);
    expect(windowView(state, T0)).toEqual({ kind: 'status', title: 'stopping: waiting for the start to finish', detail: 'at most 75 s' });
    state = nextLifecycle(state, { type: 'started' });
    expect(state.phase).toBe('stopping');
    expect(shouldShutDown(state)).toBe(true);
    expect(commandRefusal(state)).toEqual({ error: 'ScaleDeck is shutting down' });
  });

  it('ends stopped with the reason when the deadline passes first', () => {
    const state = run({ type: 'started' }, quit(), { type: 'deadlinePassed' });
    expect(state).toEqual({ phase: 'stopped', error: 'the shutdown passed its deadline' });
  });

  it('ignores a late "stopped" or "deadline" outside stopping', () => {
    const running = run({ type: 'started' });
    expect(nextLifecycle(running, { type: 'stopped' })).toBe(running);
    expect(nextLifecycle(running, { type: 'deadlinePassed' })).toBe(running);
  });
});

describe('the status page', () => {
  it('is static HTML with a policy that allows no script, and escapes what it shows', () => {
    const html = statusPageHtml('stopping: draining 2 replicas', '<script>alert(1)</script>');
    expect(html).toContain("content=\"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\"");
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<h1>stopping: draining 2 replicas</h1>');
  });

  it('travels as a data: URL that decodes back to the page', () => {
    const url = statusPageUrl('ScaleDeck is starting', 'Checking Docker', false);
    expect(url.startsWith('data:text/html;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(url.slice('data:text/html;charset=utf-8,'.length))).toBe(statusPageHtml('ScaleDeck is starting', 'Checking Docker', false));
  });
});
