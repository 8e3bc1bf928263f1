// The HTTP/WebSocket bridge to the headless shell: routes, token, errors as data, stream reconnects.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamMessage } from '../../../electron/contract/contract.js';
import { connectionOf, getBridge, HttpBridge, takeToken, type ConnectionState } from '../../../renderer/bridge.js';
import { FakeBridge, makeSample, makeSnapshot, T0 } from './fake-bridge.js';

const ORIGIN = 'http://127.0.0.1:7400';

interface SeenRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function fakeFetch(respond: (request: SeenRequest) => Response | Promise<Response>) {
  const seen: SeenRequest[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    const request = { url: String(url), method: init?.method ?? 'GET', headers: (init?.headers ?? {}) as Record<string, string>, body: init?.body as string | undefined };
    seen.push(request);
    return respond(request);
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

class FakeSocket {
  static made: FakeSocket[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;

  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }

  open(): void {
    this.onopen?.(new Event('open'));
  }

  receive(data: string): void {
    this.onmessage?.(new MessageEvent('message', { data }));
  }

  drop(): void {
    this.onclose?.(new CloseEvent('close'));
  }

  close(): void {
    this.closed = true;
    this.drop();
  }
}

function httpBridge(fetch: typeof globalThis.fetch, token: string | null = 'secret') {
  return new HttpBridge({ origin: ORIGIN, token, fetch, WebSocket: FakeSocket as unknown as new (url: string) => WebSocket, reconnectMinMs: 100, reconnectMaxMs: 800 });
}

describe('HTTP bridge commands', () => {
  it('calls the contract route with the bearer token and a JSON body, and wraps a 200 answer as a result', async () => {
    const { fetch, seen } = fakeFetch(() => json(200, { desired: 4, mode: 'manual' }));
    const answer = await httpBridge(fetch).scale({ replicas: 4 });
    expect(answer).toEqual({ result: { desired: 4, mode: 'manual' } });
    expect(seen).toEqual([
      {
        url: `${ORIGIN}/api/scale`,
        method: 'POST',
        headers: { Authorization: 'Bearer secret', 'Content-Type': 'application/json' },
        body: '{"replicas":4}',
      },
    ]);
  });

  it('sends no body for commands without input', async () => {
    const { fetch, seen } = fakeFetch(() => json(200, makeSnapshot()));
    const answer = await httpBridge(fetch).getSnapshot();
    expect('result' in answer && answer.result.desired).toBe(2);
    expect(seen[0]).toMatchObject({ url: `${ORIGIN}/api/snapshot`, method: 'GET', body: undefined, headers: { Authorization: 'Bearer secret' } });
  });

  it('uses PATCH for settings and DELETE to stop load, as the route table says', async () => {
    const { fetch, seen } = fakeFetch(() => json(200, {}));
    const bridge = httpBridge(fetch);
    await bridge.updateSettings({ scaleUpThreshold: 80 });
    await bridge.stopLoad();
    expect(seen.map((request) => `${request.method} ${request.url.slice(ORIGIN.length)}`)).toEqual(['PATCH /api/settings', 'DELETE /api/load']);
  });

  it('turns an error answer into {error, field}', async () => {
    const { fetch } = fakeFetch(() => json(400, { error: 'scaleDownThreshold: must be below scaleUpThreshold (70)', field: 'scaleDownThreshold' }));
    expect(await httpBridge(fetch).updateSettings({ scaleDownThreshold: 90 })).toEqual({
      error: 'scaleDownThreshold: must be below scaleUpThreshold (70)',
      field: 'scaleDownThreshold',
    });
  });

  it('explains a refused token without an error body', async () => {
    const { fetch } = fakeFetch(() => new Response('', { status: 401, statusText: 'Unauthorized' }));
    const answer = await httpBridge(fetch, null).getSnapshot();
    expect('error' in answer && answer.error).toMatch(/URL that `npm run serve` printed/);
  });

  it('says the server is unreachable when the request cannot be made', async () => {
    const { fetch } = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(await httpBridge(fetch).getSnapshot()).toEqual({
      error: `Cannot reach the ScaleDeck server at ${ORIGIN}: is \`npm run serve\` still running?`,
    });
  });
});

describe('HTTP bridge stream', () => {
  beforeEach(() => {
    FakeSocket.made = [];
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens the stream with the token and passes stream messages on', () => {
    const bridge = httpBridge(fakeFetch(() => json(200, {})).fetch);
    const received: StreamMessage[] = [];
    bridge.subscribe((message) => received.push(message));
    expect(FakeSocket.made).toHaveLength(1);
    expect(FakeSocket.made[0]!.url).toBe('ws://127.0.0.1:7400/api/stream?token=secret');
    FakeSocket.made[0]!.open();
    const sample = makeSample(T0);
    FakeSocket.made[0]!.receive(JSON.stringify({ type: 'sample', sample }));
    FakeSocket.made[0]!.receive('not json');
    FakeSocket.made[0]!.receive(JSON.stringify({ type: 'unknown' }));
    expect(received).toEqual([{ type: 'sample', sample }]);
  });

  it('uses wss: when the page came over https', () => {
    const bridge = new HttpBridge({ origin: 'https://deck.example', token: 't', fetch: fakeFetch(() => json(200, {})).fetch, WebSocket: FakeSocket as unknown as new (url: string) => WebSocket });
    bridge.subscribe(() => {});
    expect(FakeSocket.made[0]!.url).toBe('wss://deck.example/api/stream?token=t');
  });

  it('reconnects with growing delays while the stream is down, and reports it', () => {
    const bridge = httpBridge(fakeFetch(() => json(200, {})).fetch);
    const states: ConnectionState[] = [];
    bridge.onConnectionState((state) => states.push(state));
    bridge.subscribe(() => {});
    FakeSocket.made[0]!.open();
    FakeSocket.made[0]!.drop();
    expect(states).toEqual(['connecting', 'open', 'reconnecting']);
    vi.advanceTimersByTime(99);
    expect(FakeSocket.made).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.made).toHaveLength(2);
    FakeSocket.made[1]!.drop();
    vi.advanceTimersByTime(199);
    expect(FakeSocket.made).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.made).toHaveLength(3);
    FakeSocket.made[2]!.open();
    expect(states.at(-1)).toBe('open');
    // Back to the shortest delay after a success.
    FakeSocket.made[2]!.drop();
    vi.advanceTimersByTime(100);
    expect(FakeSocket.made).toHaveLength(4);
  });

  it('caps the reconnect delay', () => {
    const bridge = httpBridge(fakeFetch(() => json(200, {})).fetch);
    bridge.subscribe(() => {});
    for (let i = 0; i < 6; i += 1) {
      FakeSocket.made.at(-1)!.drop();
      vi.advanceTimersByTime(800);
    }
    expect(FakeSocket.made).toHaveLength(7);
  });

  it('closes the stream when the last subscriber leaves, and does not reconnect', () => {
    const bridge = httpBridge(fakeFetch(() => json(200, {})).fetch);
    const first = bridge.subscribe(() => {});
    const second = bridge.subscribe(() => {});
    expect(FakeSocket.made).toHaveLength(1);
    first();
    expect(FakeSocket.made[0]!.closed).toBe(false);
    second();
    expect(FakeSocket.made[0]!.closed).toBe(true);
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.made).toHaveLength(1);
  });
});

describe('access token', () => {
  beforeEach(() => {
    window.sessionStorage.clear();
  });

  it('takes the token from the URL, keeps it for the tab and removes it from the address bar', () => {
    window.history.replaceState(null, '', '/?token=abc123&view=compact#events');
    expect(takeToken()).toBe('abc123');
    expect(window.location.search).toBe('?view=compact');
    expect(window.location.hash).toBe('#events');
    expect(window.sessionStorage.getItem('scaledeck.token')).toBe('abc123');
    expect(takeToken()).toBe('abc123');
  });

  it('has no token when neither the URL nor the tab has one', () => {
    window.history.replaceState(null, '', '/');
    expect(takeToken()).toBeNull();
  });
});

describe('choosing a bridge', () => {
  it('uses the Electron preload API when the window has one', () => {
    const preload = new FakeBridge();
    window.scaledeck = preload;
    try {
      expect(getBridge()).toBe(preload);
      expect(connectionOf(preload)).toBeNull();
    } finally {
      delete window.scaledeck;
    }
  });

  it('gives the HTTP bridge a connection state', () => {
    expect(connectionOf(httpBridge(fakeFetch(() => json(200, {})).fetch))).not.toBeNull();
  });
});
