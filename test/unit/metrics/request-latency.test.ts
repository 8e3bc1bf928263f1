// Specification of request latency: HAProxy's log lines parsed, the percentiles of an interval, a bounded window,
// and the listener fed by real datagrams on 127.0.0.1, counting only those that carry HAProxy's secret.
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { propertyRuns } from '../../support/property-seed.js';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRequestLogLine, requestLogFormat, requestLogLines } from '../../../haproxy/request-log.js';
import { RequestLogSecret } from '../../../haproxy/request-log-secret.js';
import { LatencyWindow, percentile } from '../../../electron/core/metrics/latency-window.js';
import { RequestLogListener } from '../../../electron/core/metrics/request-log-listener.js';
import { renderHaproxyConfig } from '../../../haproxy/config.js';

describe('request log lines', () => {
  const secret = '0123456789abcdef0123456789abcdef';

  it('parse the secret, active time, total time, status and backend of a raw line', () => {
    expect(parseRequestLogLine(`scaledeck-req ${secret} 240 5240 200 web.v2\n`)).toEqual({ secret, activeMs: 240, totalMs: 5240, status: 200, backend: 'web.v2' });
  });

  it('parse a line from a config that did not log the backend, without one', () => {
    expect(parseRequestLogLine(`scaledeck-req ${secret} 240 5240 200\n`)).toEqual({ secret, activeMs: 240, totalMs: 5240, status: 200 });
  });

  it('leave out a backend no HAProxy section could have', () => {
    expect(parseRequestLogLine(`scaledeck-req ${secret} 240 5240 200 "web"`)).toEqual({ secret, activeMs: 240, totalMs: 5240, status: 200 });
  });

  it('parse a line that still carries a syslog header', () => {
    expect(parseRequestLogLine(`<134>Nov 29 10:00:00 haproxy[42]: scaledeck-req ${secret} 12 12 503`)).toEqual({ secret, activeMs: 12, totalMs: 12, status: 503 });
  });

  it.each([
    ['another program\'s line', 'GET / HTTP/1.1 200'],
    ['a truncated line', `scaledeck-req ${secret} 12 12`],
    ['a line without a secret', 'scaledeck-req 12 12 200'],
    ['a request that never completed', `scaledeck-req ${secret} -1 30000 -1`],
    ['a non-number', `scaledeck-req ${secret} abc 12 200`],
    ['an empty datagram', ''],
  ])('ignore %s', (_name, line) => {
    expect(parseRequestLogLine(line)).toBeNull();
  });

  it('come from a log target on 127.0.0.1 in raw format, with the format the parser reads and the secret', () => {
    const config = renderHaproxyConfig({ dataDir: '/tmp/sd', frontendHost: '127.0.0.1', frontendPort: 8080, statsPort: 8404, healthPath: '/healthz', requestLog: { port: 5140, secret } });
    const frontend = config.slice(config.indexOf('frontend scaledeck_in'), config.indexOf('\nbackend '));
    expect(frontend).toContain('log 127.0.0.1:5140 len 256 format raw local0 info');
    expect(frontend).toContain(`log-format "${requestLogFormat(secret)}"`);
    expect(requestLogFormat(secret)).toBe(`scaledeck-req ${secret} %Ta %Tt %ST %b`);
    expect(() => requestLogLines({ port: 0, secret })).toThrow(/request log port/);
    expect(() => requestLogLines({ port: 5140, secret: 'x" log-format "%Ta' })).toThrow(/request log secret/);
  });
});

describe('percentiles', () => {
  it('use the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNull();
  });

  it('are values of the interval, in order, with at least 95 % of the values at or below p95', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 500 }), (values) => {
      const window = new LatencyWindow();
      values.forEach((v) => window.add(v));
      const { p50Ms, p95Ms, count } = window.take();
      expect(count).toBe(values.length);
      expect(values).toContain(p95Ms);
      expect(p50Ms as number).toBeLessThanOrEqual(p95Ms as number);
      expect(values.filter((v) => v <= (p95Ms as number)).length / values.length).toBeGreaterThanOrEqual(0.95);
      expect(values.filter((v) => v < (p95Ms as number)).length / values.length).toBeLessThan(0.95);
    }), propertyRuns(1000));
  });

  it('start each interval empty', () => {
    const window = new LatencyWindow();
    window.add(300);
    window.take();
    expect(window.take()).toEqual({ p50Ms: null, p95Ms: null, count: 0 });
  });

  it('keep at most capacity values however many requests end, and count them all', () => {
    let seed = 1;
    const window = new LatencyWindow(100, () => ((seed = (seed * 16807) % 2147483647) / 2147483647));
    for (let i = 0; i < 10_000; i++) window.add(i % 2 === 0 ? 10 : 1000);
    const { p50Ms, p95Ms, count } = window.take();
    expect(count).toBe(10_000);
    expect(p95Ms).toBe(1000);
    expect([10, 1000]).toContain(p50Ms);
  });
});

describe('the request log listener', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function send(port: number, lines: string[]): Promise<void> {
    const socket = createSocket('udp4');
    for (const line of lines) await new Promise<void>((resolve, reject) => socket.send(line, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    socket.close();
  }

  it('turns datagrams into the interval\'s percentiles and keeps its port for the next start', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'scaledeck-reqlog-'));
    const secrets = new RequestLogSecret(dir);
    const secret = secrets.fresh();
    secrets.commit(secret);
    const listener = new RequestLogListener(dir, secrets);
    const port = await listener.start();
    try {
      const forged = secrets.fresh();
      await send(port, [
        `scaledeck-req ${forged} 9000 9000 200`, 'scaledeck-req 9000 9000 200', `scaledeck-req ${secret} 10 10 200`,
        `scaledeck-req ${secret} 20 20 200`, 'not ours', `scaledeck-req ${secret} 400 400 200`,
      ]);
      for (let i = 0; i < 1000 && listener.pending < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(listener.take()).toEqual({ p50Ms: 20, p95Ms: 400, count: 3 });
    } finally {
      await listener.close();
    }
    expect(Number(readFileSync(path.join(dir, 'request-log.port'), 'utf8'))).toBe(port);
    expect(statSync(path.join(dir, 'request-log.port')).mode & 0o777).toBe(0o600);
    const again = new RequestLogListener(dir, secrets);
    expect(await again.start()).toBe(port);
    await again.close();
  });

  it('gives each backend the percentiles of its own requests since its own last take, and all of them without one', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'scaledeck-reqlog-'));
    const secrets = new RequestLogSecret(dir);
    const secret = secrets.fresh();
    secrets.commit(secret);
    const listener = new RequestLogListener(dir, secrets);
    const port = await listener.start();
    const arrived = async (count: number) => {
      for (let i = 0; i < 1000 && listener.pending < count; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    try {
      await send(port, [
        `scaledeck-req ${secret} 10 10 200 web`, `scaledeck-req ${secret} 30 30 200 web`, `scaledeck-req ${secret} 500 500 200 api`,
        // A line of the config before the upgrade, which had one service on the default backend.
        `scaledeck-req ${secret} 70 70 200`,
      ]);
      await arrived(4);
      expect(listener.take('web')).toEqual({ p50Ms: 10, p95Ms: 30, count: 2 });
      expect(listener.take('web')).toEqual({ p50Ms: null, p95Ms: null, count: 0 });
      expect(listener.take('scaledeck')).toEqual({ p50Ms: 70, p95Ms: 70, count: 1 });
      expect(listener.take('docs')).toEqual({ p50Ms: null, p95Ms: null, count: 0 });
      expect(listener.pending).toBe(4);
      expect(listener.take()).toEqual({ p50Ms: 30, p95Ms: 500, count: 4 });
      expect(listener.pending).toBe(0);
      // Taking them all leaves each backend's own interval running.
      expect(listener.take('api')).toEqual({ p50Ms: 500, p95Ms: 500, count: 1 });
    } finally {
      await listener.close();
    }
  });
});

describe('the request log secret', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is kept in a 0600 file that a later start reads, so an adopted HAProxy\'s lines still count', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'scaledeck-secret-'));
    const first = new RequestLogSecret(dir);
    expect(first.inUse()).toBeNull();
    expect(first.accepts('')).toBe(false);
    const secret = first.fresh();
    expect(first.accepts(secret)).toBe(false);
    first.commit(secret);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    const restarted = new RequestLogSecret(dir);
    expect(restarted.inUse()).toBe(secret);
    expect(restarted.accepts(secret)).toBe(true);
    expect(restarted.accepts(restarted.fresh())).toBe(false);
  });

  it('is fresh for each config, and a reload\'s old one counts only for a grace period', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'scaledeck-secret-'));
    let now = 0;
    const secrets = new RequestLogSecret(dir, () => now);
    const [before, after] = [secrets.fresh(), secrets.fresh()];
    expect(before).not.toBe(after);
    secrets.commit(before);
    secrets.commit(after);
    now = 10_000;
    expect(secrets.accepts(before)).toBe(true);
    expect(secrets.accepts(after)).toBe(true);
    now = 31_000;
    expect(secrets.accepts(before)).toBe(false);
    expect(secrets.accepts(after)).toBe(true);
  });
});
