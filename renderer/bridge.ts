// The renderer's one way to the control plane: the Electron preload's API, or HTTP + WebSocket to the headless shell.
import {
  httpRoutes,
  SERVICES_PATH,
  STREAM_PATH,
  type CommandName,
  type ComposeFileSource,
  type Result,
  type ScaleDeckApi,
  type StreamMessage,
} from '../electron/contract/contract.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload: one function per command, plus `subscribe` and `onComposeFile`. */
    scaledeck?: ScaleDeckApi & ComposeFileSource;
  }
}

/** The live stream's state, for the status bar: IPC is always open; a WebSocket can drop and come back. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface ConnectionSource {
  /** Calls `listener` with the current state at once and on every change; returns the function that stops it. */
  onConnectionState(listener: (state: ConnectionState) => void): () => void;
}

/** The connection state of a bridge that has one (HTTP); null for a bridge that cannot drop (IPC, fakes). */
export function connectionOf(api: ScaleDeckApi): ConnectionSource | null {
  const candidate = api as Partial<ConnectionSource>;
  return typeof candidate.onConnectionState === 'function' ? (candidate as ConnectionSource) : null;
}

/** The desktop window's source of Compose files opened from its menu; null in a browser (or a fake without one). */
export function composeFileSourceOf(api: ScaleDeckApi): ComposeFileSource | null {
  const candidate = api as Partial<ComposeFileSource>;
  return typeof candidate.onComposeFile === 'function' ? (candidate as ComposeFileSource) : null;
}

const TOKEN_KEY = 'scaledeck.token';

/**
 * The headless shell's token: taken from `?token=` once, kept for this tab in sessionStorage, and removed from the
 * address bar so it does not end up in bookmarks, screenshots or the history.
 */
export function takeToken(win: Pick<Window, 'location' | 'history' | 'sessionStorage'> = window): string | null {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      win.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage can be disabled; the token still works for this page load.
    }
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return win.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export interface HttpBridgeOptions {
  /** The headless shell's origin, e.g. `http://127.0.0.1:7400`. */
  origin: string;
  token: string | null;
  fetch?: typeof fetch;
  WebSocket?: new (url: string) => WebSocket;
  /** Reconnect delays: the first, doubled after each failure up to the last. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

/** Talks to `npm run serve` using the contract's route table; errors come back as data, never as throws. */
export class HttpBridge implements ScaleDeckApi, ConnectionSource {
  private readonly fetch: typeof fetch;
  private readonly WebSocketClass: new (url: string) => WebSocket;
  private readonly listeners = new Set<(message: StreamMessage) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private state: ConnectionState = 'connecting';
  private socket: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelayMs: number;

  constructor(private readonly options: HttpBridgeOptions) {
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.WebSocketClass = options.WebSocket ?? globalThis.WebSocket;
    this.retryDelayMs = this.minDelay;
  }

  getSnapshot = () => this.call('getSnapshot');
  getServices = () => this.call('getServices');
  addService = (input: Parameters<ScaleDeckApi['addService']>[0]) => this.call('addService', input);
  removeService = (input: Parameters<ScaleDeckApi['removeService']>[0]) => this.call('removeService', input);
  planCompose = (input: Parameters<ScaleDeckApi['planCompose']>[0]) => this.call('planCompose', input);
  applyCompose = (input: Parameters<ScaleDeckApi['applyCompose']>[0]) => this.call('applyCompose', input);
  getComposeProjects = () => this.call('getComposeProjects');
  removeCompose = (input: Parameters<ScaleDeckApi['removeCompose']>[0]) => this.call('removeCompose', input);
  getHistory = (input?: Parameters<ScaleDeckApi['getHistory']>[0]) => this.call('getHistory', input);
  getForecast = (input?: Parameters<ScaleDeckApi['getForecast']>[0]) => this.call('getForecast', input);
  whatIf = (input: Parameters<ScaleDeckApi['whatIf']>[0]) => this.call('whatIf', input);
  updateSettings = (patch: Parameters<ScaleDeckApi['updateSettings']>[0]) => this.call('updateSettings', patch);
  scale = (input: Parameters<ScaleDeckApi['scale']>[0]) => this.call('scale', input);
  setMode = (input: Parameters<ScaleDeckApi['setMode']>[0]) => this.call('setMode', input);
  removeReplica = (input: Parameters<ScaleDeckApi['removeReplica']>[0]) => this.call('removeReplica', input);
  startLoad = (input: Parameters<ScaleDeckApi['startLoad']>[0]) => this.call('startLoad', input);
  stopLoad = () => this.call('stopLoad');
  buildImage = () => this.call('buildImage');
  recheck = () => this.call('recheck');
  rollback = (input?: Parameters<ScaleDeckApi['rollback']>[0]) => this.call('rollback', input);
  retryRollout = (input?: Parameters<ScaleDeckApi['retryRollout']>[0]) => this.call('retryRollout', input);

  subscribe(listener: (message: StreamMessage) => void): () => void {
    this.listeners.add(listener);
    if (!this.socket && !this.retryTimer) this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.disconnect();
    };
  }

  onConnectionState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  private get minDelay(): number {
    return this.options.reconnectMinMs ?? 500;
  }

  private get maxDelay(): number {
    return this.options.reconnectMaxMs ?? 10_000;
  }

  // Each command's result type comes from the contract; the server's JSON is trusted to match it.
  private async call<C extends CommandName>(command: C, input?: unknown): Promise<Awaited<ReturnType<ScaleDeckApi[C]>>> {
    return (await this.request(command, input)) as Awaited<ReturnType<ScaleDeckApi[C]>>;
  }

  private async request(command: CommandName, routedInput: unknown): Promise<Result<unknown>> {
    const route = httpRoutes[command];
    // A command for a named service goes to that service's route, its input without the name.
    const { service, ...rest } = (routedInput ?? {}) as { service?: unknown };
    const named = route.service !== undefined && typeof service === 'string';
    let input = named ? (Object.keys(rest).length === 0 && route.method !== 'PATCH' ? undefined : rest) : routedInput;
    let path = named ? `${SERVICES_PATH}/${encodeURIComponent(service)}${route.service}` : route.path;
    const subject = /\{(\w+)\}/.exec(route.path)?.[1];
    if (subject) {
      // A route that names its subject in the path (DELETE /api/services/{name}, /api/compose/{project}) sends no body.
      path = route.path.replace(`{${subject}}`, encodeURIComponent(String((routedInput as Record<string, unknown> | undefined)?.[subject] ?? '')));
      input = undefined;
    }
    const headers: Record<string, string> = {};
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    // A GET carries its input in the query string (the route names the parameters), never in a body.
    const query = new URLSearchParams();
    for (const [param, field] of Object.entries(route.query ?? {})) {
      const value = (input as Record<string, unknown> | undefined)?.[field];
      if (value !== undefined) query.set(param, String(value));
    }
    const payload = route.query || input === undefined ? undefined : JSON.stringify(input);
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetch(this.options.origin + path + (query.toString() ? `?${query.toString()}` : ''), {
        method: route.method,
        headers,
        body: payload,
      });
    } catch {
      return { error: `Cannot reach the ScaleDeck server at ${this.options.origin}: is \`npm run serve\` still running?` };
    }
    let body: unknown;
    try {
      const text = await response.text();
      body = text ? JSON.parse(text) : null;
    } catch {
      body = undefined;
    }
    if (response.ok) return { result: body };
    if (isErrorBody(body)) return typeof body.field === 'string' ? { error: body.error, field: body.field } : { error: body.error };
    if (response.status === 401 || response.status === 403) {
      return { error: 'The ScaleDeck server refused the request: open the dashboard with the URL that `npm run serve` printed (it carries the access token).' };
    }
    return { error: `The ScaleDeck server answered ${response.status} ${response.statusText} to ${route.method} ${path}.` };
  }

  private streamUrl(): string {
    const url = new URL(STREAM_PATH, this.options.origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.options.token) url.searchParams.set('token', this.options.token);
    return url.toString();
  }

  private connect(): void {
    this.retryTimer = null;
    let socket: WebSocket;
    try {
      socket = new this.WebSocketClass(this.streamUrl());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.retryDelayMs = this.minDelay;
      this.setState('open');
    };
    socket.onmessage = (event: MessageEvent) => {
      const message = parseStreamMessage(event.data);
      if (!message) return;
      for (const listener of [...this.listeners]) listener(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.listeners.size > 0) this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    this.setState('reconnecting');
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.maxDelay, this.retryDelayMs * 2);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private disconnect(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.retryDelayMs = this.minDelay;
    this.setState('connecting');
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}

function isErrorBody(body: unknown): body is { error: string; field?: unknown } {
  return typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string';
}

function parseStreamMessage(data: unknown): StreamMessage | null {
  if (typeof data !== 'string') return null;
  try {
    const message = JSON.parse(data) as { type?: unknown };
    return message.type === 'sample' || message.type === 'event' || message.type === 'snapshot' ? (message as StreamMessage) : null;
  } catch {
    return null;
  }
}

let bridge: ScaleDeckApi | undefined;

/** The bridge for this window: the Electron preload's when present, else HTTP + WebSocket to the page's origin. */
export function getBridge(): ScaleDeckApi {
  bridge ??= window.scaledeck ?? new HttpBridge({ origin: window.location.origin, token: takeToken() });
  return bridge;
}
