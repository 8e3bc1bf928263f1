// dispatchCommand is the one path from a shell to the control plane: the Electron IPC handlers (after isTrustedSender)
// and the headless HTTP routes both call it, so bad input stopped here is stopped for both shells.
import { describe, expect, it } from 'vitest';
import { commandInputs, READ_COMMANDS, SHUTTING_DOWN_ERROR, type CommandName } from '../../../electron/contract/contract.js';
import { dispatchCommand, type CommandTarget } from '../../../electron/shells/common/dispatch.js';

interface RecordedCall {
  command: CommandName;
  input: unknown;
}

/** A control plane that only records what reached it, answering each command with a recognisable result. */
function recordingTarget(): { target: CommandTarget; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const record = (command: CommandName) => async (input?: unknown) => {
    calls.push({ command, input });
    return { result: { handledBy: command } };
  };
  const target = { ...Object.fromEntries((Object.keys(commandInputs) as CommandName[]).map((command) => [command, record(command)])), serviceNames: ['web'] };
  return { target: target as unknown as CommandTarget, calls };
}

type Rejection = [command: CommandName, input: unknown, field: string, says: RegExp];

const REJECTED: Rejection[] = [
  ['scale', { replicas: '3' }, 'replicas', /must be a number/],
  ['scale', { replicas: -1 }, 'replicas', /0 or more/],
  ['scale', { replicas: 101 }, 'replicas', /100 or less/],
  ['scale', { replicas: 2.5 }, 'replicas', /whole number/],
  ['scale', { replicas: Number.NaN }, 'replicas', /must be a number/],
  ['scale', { replicas: 2, force: true }, 'force', /not a known field/],
  ['scale', {}, 'replicas', /must be a number/],
  ['scale', undefined, 'input', /must be an object.*got nothing/],
  ['scale', null, 'input', /got null/],
  ['scale', 3, 'input', /got a number/],
  ['scale', [{ replicas: 3 }], 'input', /got an array/],
  ['setMode', { mode: 'turbo' }, 'mode', /"auto" or "manual"/],
  ['setMode', { mode: 'auto', extra: 1 }, 'extra', /not a known field/],
  ['setMode', undefined, 'input', /got nothing/],
  ['startLoad', { rate: 0, durationS: 10 }, 'rate', /at least 1/],
  ['startLoad', { rate: 100000, durationS: 10 }, 'rate', /5000 requests\/s or less/],
  ['startLoad', { rate: 10, durationS: 0 }, 'durationS', /at least 1 s/],
  ['startLoad', { rate: 10, durationS: 10, path: 'no-slash' }, 'path', /starting with \//],
  ['startLoad', { rate: 10 }, 'durationS', /.+/],
  ['removeReplica', { id: '' }, 'id', /must name a replica/],
  ['updateSettings', 'frontendPort=80', 'input', /got a string/],
  ['updateSettings', [1, 2], 'input', /got an array/],
];

describe('dispatchCommand', () => {
  it.each(REJECTED)('rejects %s %j naming the field %s, without calling the control plane', async (command, input, field, says) => {
    const { target, calls } = recordingTarget();
    const answer = await dispatchCommand(target, command, input);
    expect(answer).toEqual({ error: expect.stringMatching(says), field });
    expect((answer as { error: string }).error.startsWith(`${field}: `)).toBe(true);
    expect(calls).toEqual([]);
  });

  it('resolves a per-service command\'s service: the only one when none is named, a 400 among several, a 404 for an unknown one', async () => {
    const { target, calls } = recordingTarget();
    const received: unknown[] = [];
    (target as unknown as Record<string, unknown>).scale = async (input: unknown, service: unknown) => {
      received.push([input, service]);
      return { result: null };
    };
    expect(await dispatchCommand(target, 'scale', { replicas: 2 })).toEqual({ result: null });
    expect(await dispatchCommand(target, 'scale', { replicas: 3, service: 'web' })).toEqual({ result: null });
    expect(received).toEqual([[{ replicas: 2 }, 'web'], [{ replicas: 3 }, 'web']]);
    expect(await dispatchCommand(target, 'scale', { replicas: 3, service: 'api' }))
      .toEqual({ error: 'service: there is no service named api (services: web)', field: 'service', notFound: true });
    expect(await dispatchCommand(target, 'getForecast', { service: 'no way' })).toEqual({ error: expect.stringMatching(/^service: must be letters/), field: 'service' });
    const several = { ...target, serviceNames: ['web', 'api'] } as CommandTarget;
    expect(await dispatchCommand(several, 'scale', { replicas: 2 })).toEqual({ error: 'service: name the service this is for (one of web, api)', field: 'service' });
    // Commands for the whole app take no service.
    expect(await dispatchCommand(several, 'stopLoad', { service: 'web' })).toEqual({ error: 'service: is not a known field (stopLoad takes no input)', field: 'service' });
    expect(calls.filter((c) => c.command === 'stopLoad')).toEqual([]);
  });

  it('calls the control plane once with the validated input and returns its result', async () => {
    const { target, calls } = recordingTarget();
    expect(await dispatchCommand(target, 'scale', { replicas: 3 })).toEqual({ result: { handledBy: 'scale' } });
    expect(await dispatchCommand(target, 'setMode', { mode: 'auto' })).toEqual({ result: { handledBy: 'setMode' } });
    expect(await dispatchCommand(target, 'startLoad', { rate: 1, durationS: 600, path: '/work?ms=5' })).toEqual({ result: { handledBy: 'startLoad' } });
    expect(calls).toEqual([
      { command: 'scale', input: { replicas: 3 } },
      { command: 'setMode', input: { mode: 'auto' } },
      { command: 'startLoad', input: { rate: 1, durationS: 600, path: '/work?ms=5' } },
    ]);
  });

  it('passes a settings patch through to the control plane, which judges the values', async () => {
    const { target, calls } = recordingTarget();
    await dispatchCommand(target, 'updateSettings', { scaleUpThreshold: 80 });
    expect(calls).toEqual([{ command: 'updateSettings', input: { scaleUpThreshold: 80 } }]);
  });

  it('calls commands without input with nothing, and refuses a field sent to one', async () => {
    const { target, calls } = recordingTarget();
    expect(await dispatchCommand(target, 'getSnapshot', { sneaky: true })).toEqual({ error: 'sneaky: is not a known field (getSnapshot takes no input)', field: 'sneaky' });
    expect(await dispatchCommand(target, 'getSnapshot', {})).toEqual({ result: { handledBy: 'getSnapshot' } });
    expect(await dispatchCommand(target, 'stopLoad', undefined)).toEqual({ result: { handledBy: 'stopLoad' } });
    expect(calls).toEqual([
      { command: 'getSnapshot', input: undefined },
      { command: 'stopLoad', input: undefined },
    ]);
  });

  it('refuses every command but reads while the control plane shuts down, without calling it', async () => {
    const { target, calls } = recordingTarget();
    const stopping = Object.assign(target, { shuttingDown: true });
    for (const command of Object.keys(commandInputs) as CommandName[]) {
      const inputs: Partial<Record<CommandName, unknown>> = { whatIf: { patch: {} }, planCompose: { yaml: 'services: {}' } };
      const answer = await dispatchCommand(stopping, command, inputs[command]);
      if (READ_COMMANDS.has(command)) expect(answer).toEqual({ result: { handledBy: command } });
      else expect(answer).toEqual({ error: SHUTTING_DOWN_ERROR });
    }
    expect(calls.map((call) => call.command).sort()).toEqual([...READ_COMMANDS].sort());
  });

  it('turns a control plane that throws into an error message, not a rejected promise', async () => {
    const { target } = recordingTarget();
    target.scale = async () => {
      throw new Error('connect ENOENT /var/run/docker.sock');
    };
    target.setMode = async () => {
      throw 'a bare string';
    };
    expect(await dispatchCommand(target, 'scale', { replicas: 2 })).toEqual({ error: 'connect ENOENT /var/run/docker.sock' });
    expect(await dispatchCommand(target, 'setMode', { mode: 'manual' })).toEqual({ error: 'a bare string' });
  });

  it('passes on the control plane\'s own refusal unchanged', async () => {
    const { target } = recordingTarget();
    target.scale = async () => ({ error: 'replicas: must be between minReplicas (1) and maxReplicas (8)', field: 'replicas' });
    expect(await dispatchCommand(target, 'scale', { replicas: 9 })).toEqual({
      error: 'replicas: must be between minReplicas (1) and maxReplicas (8)',
      field: 'replicas',
    });
  });
});
