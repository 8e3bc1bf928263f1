// Runs before the renderer, sandboxed: exposes `window.scaledeck`, one function per contract command, over IPC, plus
// the stream and the Compose files opened from the menu.
// A sandboxed preload can require only 'electron' and a few built-ins, so it cannot load contract.js at run time:
// the channel names are derived here the same way as contract.ts's ipcChannel (a unit test holds them equal).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CommandName, ComposeFileSource, ComposeInput, ScaleDeckApi, StreamMessage } from '../../contract/contract.js';

export const commandChannel = (command: CommandName): string => `scaledeck:${command}`;
export const STREAM_CHANNEL = 'scaledeck:stream';
export const COMPOSE_FILE_CHANNEL = 'scaledeck:compose-file';

function invoke<T>(command: CommandName, input?: unknown): Promise<T> {
  return ipcRenderer.invoke(commandChannel(command), input);
}

/** Typed as the contract, so a command added there and missing here fails the type check. */
export const scaledeckApi: ScaleDeckApi & ComposeFileSource = {
  getSnapshot: () => invoke('getSnapshot'),
  getServices: () => invoke('getServices'),
  addService: (input) => invoke('addService', input),
  removeService: (input) => invoke('removeService', input),
  planCompose: (input) => invoke('planCompose', input),
  applyCompose: (input) => invoke('applyCompose', input),
  getComposeProjects: () => invoke('getComposeProjects'),
  removeCompose: (input) => invoke('removeCompose', input),
  getHistory: (input) => invoke('getHistory', input),
  getForecast: (input) => invoke('getForecast', input),
  whatIf: (input) => invoke('whatIf', input),
  updateSettings: (patch) => invoke('updateSettings', patch),
  scale: (input) => invoke('scale', input),
  setMode: (input) => invoke('setMode', input),
  removeReplica: (input) => invoke('removeReplica', input),
  startLoad: (input) => invoke('startLoad', input),
  stopLoad: () => invoke('stopLoad'),
  buildImage: () => invoke('buildImage'),
  recheck: () => invoke('recheck'),
  rollback: (input) => invoke('rollback', input),
  retryRollout: (input) => invoke('retryRollout', input),
  subscribe(listener: (message: StreamMessage) => void): () => void {
    // The IPC event stays on this side: the page gets the message only, never a handle to ipcRenderer.
    const forward = (_event: IpcRendererEvent, message: StreamMessage) => listener(message);
    ipcRenderer.on(STREAM_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(STREAM_CHANNEL, forward);
    };
  },
  onComposeFile(listener: (input: ComposeInput) => void): () => void {
    const forward = (_event: IpcRendererEvent, input: ComposeInput) => listener(input);
    ipcRenderer.on(COMPOSE_FILE_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(COMPOSE_FILE_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('scaledeck', scaledeckApi);
