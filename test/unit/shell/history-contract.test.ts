// Specification of the history and what-if commands at the boundary: input checks, query strings, the HTTP bridge.
import { describe, expect, it } from 'vitest';
import { httpRoutes, inputFromQuery, parseCommandInput } from '../../../electron/contract/contract.js';
import { dispatchCommand, type CommandTarget } from '../../../electron/shells/common/dispatch.js';
import { HttpBridge } from '../../../renderer/bridge.js';

describe('getHistory and whatIf inputs', () => {
  it('takes no input, or a range with either end, for getHistory', () => {
    expect(parseCommandInput('getHistory', undefined)).toEqual({ ok: true, value: undefined });
    expect(parseCommandInput('getHistory', { fromMs: 1000, toMs: 2000 })).toEqual({ ok: true, value: { fromMs: 1000, toMs: 2000 } });
    expect(parseCommandInput('getHistory', { toMs: 2000 })).toEqual({ ok: true, value: { toMs: 2000 } });
  });

  it.each([
    ['getHistory', { fromMs: -1 }, 'fromMs'],
    ['getHistory', { fromMs: 'yesterday' }, 'fromMs'],
    ['getHistory', { fromMs: 2000, toMs: 1000 }, 'toMs'],
    ['getHistory', { from: 1000 }, 'from'],
    ['whatIf', { patch: 'cheaper' }, 'patch'],
    ['whatIf', { patch: {}, toMs: 1.5 }, 'toMs'],
    ['whatIf', { patch: {}, extra: true }, 'extra'],
  ] as const)('%s rejects %o naming %s', (command, input, field) => {
    const parsed = parseCommandInput(command, input);
    expect(parsed).toMatchObject({ ok: false, field });
    expect(parsed.ok ? '' : parsed.error).toMatch(new RegExp(`^${field}: `));
  });

  it('reads a GET route\'s input from its query string and names a bad parameter', () => {
    const route = httpRoutes.getHistory;
    expect(inputFromQuery(route, new URLSearchParams('from=1000&to=2000&token=x'))).toEqual({ ok: true, value: { fromMs: 1000, toMs: 2000 } });
    expect(inputFromQuery(route, new URLSearchParams(''))).toEqual({ ok: true, value: undefined });
    expect(inputFromQuery(route, new URLSearchParams('from=noon'))).toMatchObject({ ok: false, field: 'from', error: 'from: must be a time in epoch milliseconds, got "noon"' });
    expect(inputFromQuery(route, new URLSearchParams('since=5'))).toMatchObject({ ok: false, field: 'since', error: expect.stringContaining('use from, to') });
  });

  it('dispatches a what-if with a bad range as an error naming the field, without calling the control plane', async () => {
    let called = false;
    const target = { serviceNames: ['web'], whatIf: async () => { called = true; return { result: null }; } } as unknown as CommandTarget;
    expect(await dispatchCommand(target, 'whatIf', { patch: {}, fromMs: 5, toMs: 1 })).toEqual({ error: 'toMs: must not be before fromMs', field: 'toMs' });
    expect(called).toBe(false);
  });
});

describe('the HTTP bridge', () => {
  it('sends getHistory\'s range as query parameters on a GET without a body, and whatIf as a JSON POST', async () => {
    const requests: { url: string; init: RequestInit | undefined }[] = [];
    const fetch = (async (url: string, init?: RequestInit) => {
      requests.push({ url, init });
      return new Response('[]', { status: 200 });
    }) as typeof globalThis.fetch;
    const bridge = new HttpBridge({ origin: 'http://127.0.0.1:7400', token: 't', fetch });
    await bridge.getHistory({ fromMs: 1000, toMs: 2000 });
    await bridge.getHistory();
    await bridge.whatIf({ patch: { scaleUpThreshold: 60 } });
    expect(requests[0]).toMatchObject({ url: 'http://127.0.0.1:7400/api/history?from=1000&to=2000', init: { method: 'GET', body: undefined } });
    expect(requests[1]?.url).toBe('http://127.0.0.1:7400/api/history');
    expect(requests[2]).toMatchObject({ url: 'http://127.0.0.1:7400/api/whatif', init: { method: 'POST', body: '{"patch":{"scaleUpThreshold":60}}' } });
  });

  it('sends a command for a named service to that service\'s route, the name out of its input', async () => {
    const requests: { url: string; init: RequestInit | undefined }[] = [];
    const fetch = (async (url: string, init?: RequestInit) => {
      requests.push({ url, init });
      return new Response('null', { status: 200 });
    }) as typeof globalThis.fetch;
    const bridge = new HttpBridge({ origin: 'http://127.0.0.1:7400', token: 't', fetch });
    await bridge.scale({ replicas: 2, service: 'shop.api' });
    await bridge.getHistory({ fromMs: 5, service: 'web' });
    await bridge.rollback({ service: 'web' });
    await bridge.updateSettings({ service: 'web' });
    await bridge.scale({ replicas: 1 });
    expect(requests.map((r) => [r.init?.method, r.url, r.init?.body])).toEqual([
      ['POST', 'http://127.0.0.1:7400/api/services/shop.api/scale', '{"replicas":2}'],
      ['GET', 'http://127.0.0.1:7400/api/services/web/history?from=5', undefined],
      ['POST', 'http://127.0.0.1:7400/api/services/web/rollout/rollback', undefined],
      ['PATCH', 'http://127.0.0.1:7400/api/services/web', '{}'],
      ['POST', 'http://127.0.0.1:7400/api/scale', '{"replicas":1}'],
    ]);
  });
});
