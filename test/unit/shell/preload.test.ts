import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  commandInputs, IPC_COMPOSE_FILE_CHANNEL, ipcChannel, IPC_STREAM_CHANNEL, isServiceCommand, type CommandName, type ComposeInput, type StreamMessage,
} from '../../../electron/contract/contract.js';

// The preload runs the way Electron's sandbox runs it: compiled to CommonJS, wrapped in a function whose `require`
// knows only the modules a sandboxed preload may load. A stray import of contract.js (or anything else) throws here.
const SANDBOX_MODULES = new Set(['events', 'timers', 'url']);
const source = readFileSync(fileURLToPath(new URL('../../../electron/shells/desktop/preload.cts', import.meta.url)), 'utf8');
const compiled = ts.transpileModule(source, {
  fileName: 'preload.cts',
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
}).outputText;

const exposedInMainWorld = new Map<string, unknown>();
const ipcRenderer = {
  invoke: vi.fn(async (channel: string, input: unknown) => ({ result: { channel, input } })),
  on: vi.fn(),
  removeListener: vi.fn(),
};
const electron = {
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposedInMainWorld.set(key, api) },
  ipcRenderer,
};
const sandboxRequire = (name: string): unknown => {
  if (name === 'electron') return electron;
  if (SANDBOX_MODULES.has(name)) return {};
  throw new Error(`a sandboxed preload cannot require '${name}'`);
};
const module = { exports: {} as Record<string, unknown> };
new Function('exports', 'require', 'module', compiled)(module.exports, sandboxRequire, module);

const preload = module.exports as { commandChannel: (command: CommandName) => string; STREAM_CHANNEL: string; COMPOSE_FILE_CHANNEL: string };
const exposed = exposedInMainWorld.get('scaledeck') as Record<string, (...args: unknown[]) => unknown>;
const commands = Object.keys(commandInputs) as CommandName[];

describe('preload bridge', () => {
  beforeEach(() => vi.clearAllMocks());

  it('exposes exactly one function per contract command, plus subscribe and onComposeFile, as window.scaledeck', () => {
    expect([...exposedInMainWorld.keys()]).toEqual(['scaledeck']);
    expect(Object.keys(exposed).sort()).toEqual([...commands, 'subscribe', 'onComposeFile'].sort());
    for (const name of Object.keys(exposed)) expect(typeof exposed[name]).toBe('function');
  });

  it('names every command channel and the stream channel exactly as the contract does', () => {
    for (const command of commands) expect(preload.commandChannel(command)).toBe(ipcChannel(command));
    expect(preload.STREAM_CHANNEL).toBe(IPC_STREAM_CHANNEL);
    expect(preload.COMPOSE_FILE_CHANNEL).toBe(IPC_COMPOSE_FILE_CHANNEL);
  });

  it.each(commands)('sends %s on its contract channel, with its input, and returns the answer', async (command) => {
    const input = { probe: command };
    const answer = await exposed[command]!(input);
    expect(ipcRenderer.invoke).toHaveBeenCalledTimes(1);
    const [channel, sent] = ipcRenderer.invoke.mock.calls[0]!;
    expect(channel).toBe(ipcChannel(command));
    // Commands without input send nothing, so a page cannot smuggle arguments into them; a per-service one sends
    // what names the service (the main process's dispatch refuses anything else in it).
    expect(sent).toEqual(commandInputs[command] === null && !isServiceCommand(command) ? undefined : input);
    expect(answer).toEqual({ result: { channel, input: sent } });
  });

  it('delivers stream messages without the IPC event, and unsubscribes the same listener', () => {
    const received: unknown[][] = [];
    const unsubscribe = exposed.subscribe!((...args: unknown[]) => received.push(args)) as () => void;
    expect(ipcRenderer.on).toHaveBeenCalledTimes(1);
    const [channel, forward] = ipcRenderer.on.mock.calls[0] as [string, (event: unknown, message: StreamMessage) => void];
    expect(channel).toBe(IPC_STREAM_CHANNEL);

    const message: StreamMessage = { type: 'event', event: { at: 1, kind: 'info', message: 'hello' } };
    forward({ sender: ipcRenderer }, message);
    expect(received).toEqual([[message]]);

    unsubscribe();
    expect(ipcRenderer.removeListener).toHaveBeenCalledWith(IPC_STREAM_CHANNEL, forward);
  });

  it('delivers Compose files opened from the menu without the IPC event, and unsubscribes the same listener', () => {
    const received: unknown[][] = [];
    const unsubscribe = exposed.onComposeFile!((...args: unknown[]) => received.push(args)) as () => void;
    expect(ipcRenderer.on).toHaveBeenCalledTimes(1);
    const [channel, forward] = ipcRenderer.on.mock.calls[0] as [string, (event: unknown, input: ComposeInput) => void];
    expect(channel).toBe(IPC_COMPOSE_FILE_CHANNEL);

    const input: ComposeInput = { yaml: 'services: {}', projectDir: '/home/ada/shop', fileName: '/home/ada/shop/compose.yaml' };
    forward({ sender: ipcRenderer }, input);
    expect(received).toEqual([[input]]);

    unsubscribe();
    expect(ipcRenderer.removeListener).toHaveBeenCalledWith(IPC_COMPOSE_FILE_CHANNEL, forward);
  });

  it('never hands ipcRenderer or its methods to the page', () => {
    for (const value of Object.values(exposed)) {
      expect(value).not.toBe(ipcRenderer);
      expect(Object.values(ipcRenderer)).not.toContain(value);
    }
  });
});
