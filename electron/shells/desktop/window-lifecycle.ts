// The desktop app's life as a pure state machine: starting -> running -> stopping -> stopped, what the window shows, which commands it takes.

/** A quit waits for the drain (drainTimeoutS + the control plane's own 15 s) and this much more for HAProxy and the driver. */
export const SHUTDOWN_GRACE_S = 30;

export type LifecycleState =
  | { phase: 'starting'; step: string }
  | { phase: 'running' }
  /** `replicas` is what is still being drained; `deadlineMs` is when the app exits whatever is left. */
  | { phase: 'stopping'; replicas: number; keepRunning: boolean; deadlineMs: number; startupPending: boolean }
  | { phase: 'stopped'; error?: string };

export type LifecycleEvent =
  /** The control plane reports what it is doing while it starts (its log lines). */
  | { type: 'progress'; step: string }
  | { type: 'started' }
  | { type: 'startFailed'; error: string }
  | { type: 'quitRequested'; nowMs: number; drainTimeoutS: number; replicas: number; keepRunning: boolean }
  | { type: 'draining'; replicas: number }
  | { type: 'stopped' }
  | { type: 'deadlinePassed' };

export const initialLifecycle = (): LifecycleState => ({ phase: 'starting', step: 'Opening the data folder' });

export function shutdownDeadlineMs(nowMs: number, drainTimeoutS: number): number {
  return nowMs + (drainTimeoutS + 15 + SHUTDOWN_GRACE_S) * 1000;
}

export function nextLifecycle(state: LifecycleState, event: LifecycleEvent): LifecycleState {
  switch (event.type) {
    case 'progress':
      return state.phase === 'starting' ? { phase: 'starting', step: event.step } : state;
    case 'started':
      if (state.phase === 'starting') return { phase: 'running' };
      // Quit was asked for while starting: the shutdown can begin now that there is a control plane to stop.
      if (state.phase === 'stopping' && state.startupPending) return { ...state, startupPending: false };
      return state;
    case 'startFailed':
      return state.phase === 'starting' || state.phase === 'stopping' ? { phase: 'stopped', error: event.error } : state;
    case 'quitRequested': {
      if (state.phase !== 'starting' && state.phase !== 'running') return state;
      const deadlineMs = shutdownDeadlineMs(event.nowMs, event.drainTimeoutS);
      const replicas = event.keepRunning ? 0 : event.replicas;
      return { phase: 'stopping', replicas, keepRunning: event.keepRunning, deadlineMs, startupPending: state.phase === 'starting' };
    }
    case 'draining':
      // The same count is the same state, so the window is redrawn only when a replica has gone.
      return state.phase === 'stopping' && !state.keepRunning && state.replicas !== event.replicas ? { ...state, replicas: event.replicas } : state;
    case 'stopped':
    case 'deadlinePassed':
      return state.phase === 'stopping' ? { phase: 'stopped', ...(event.type === 'deadlinePassed' ? { error: 'the shutdown passed its deadline' } : {}) } : state;
  }
}

/** True once the control plane should be shut down: stopping, with a control plane to stop. */
export function shouldShutDown(state: LifecycleState): boolean {
  return state.phase === 'stopping' && !state.startupPending;
}

/** The refusal a command gets outside `running`, or null when it is accepted. */
export function commandRefusal(state: LifecycleState): { error: string } | null {
  switch (state.phase) {
    case 'running':
      return null;
    case 'starting':
      return { error: 'ScaleDeck is still starting' };
    default:
      return { error: 'ScaleDeck is shutting down' };
  }
}

/** The window closes for good only when stopped; before that, closing it is a request to quit. */
export const windowMayClose = (state: LifecycleState): boolean => state.phase === 'stopped';

export type WindowView = { kind: 'dashboard' } | { kind: 'status'; title: string; detail: string };

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export function windowView(state: LifecycleState, nowMs: number): WindowView {
  switch (state.phase) {
    case 'running':
      return { kind: 'dashboard' };
    case 'starting':
      return { kind: 'status', title: 'ScaleDeck is starting', detail: state.step };
    case 'stopping': {
      const secondsLeft = Math.max(0, Math.ceil((state.deadlineMs - nowMs) / 1000));
      if (state.startupPending) return { kind: 'status', title: 'stopping: waiting for the start to finish', detail: `at most ${secondsLeft} s` };
      if (state.keepRunning) return { kind: 'status', title: 'stopping: HAProxy and the replicas keep serving', detail: 'Detaching from them' };
      return { kind: 'status', title: `stopping: draining ${plural(state.replicas, 'replica')}`, detail: `Requests in flight finish first; at most ${secondsLeft} s` };
    }
    case 'stopped':
      return { kind: 'status', title: 'ScaleDeck stopped', detail: state.error ?? 'Everything it started has stopped' };
  }
}
