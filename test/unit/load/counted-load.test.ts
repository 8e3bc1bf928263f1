// Specification of the counted load client: it issues exactly rate x duration requests and sees every one it loses.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { countedLoadProblem, runCountedLoad } from '../../support/counted-load.js';

/** A local server that answers `{host}` and lets the test decide, per arrival (1-based), what happens to a request. */
async function serve(onRequest: (arrival: number, req: http.IncomingMessage, res: http.ServerResponse) => void) {
  let arrivals = 0;
  const server = http.createServer((req, res) => onRequest(++arrivals, req, res));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, arrivals: () => arrivals };
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const answer = (res: http.ServerResponse, status = 200) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ host: 'local' }));

describe('runCountedLoad', () => {
  it('issues exactly rate x duration requests, stops by itself and counts every answer', async () => {
    const target = await serve((_n, _req, res) => answer(res));
    const report = await runCountedLoad({ url: target.url, rate: 200, durationS: 1, connections: 4 }).done;
    expect(report).toMatchObject({ issued: 200, ok2xx: 200, non2xx: 0, errors: 0, errorKinds: {} });
    expect([...report.hosts]).toEqual(['local']);
    expect(target.arrivals()).toBe(200);
    expect(report.durationS).toBeLessThan(3);
  });

  it('counts as errors exactly the GETs whose connection the server destroyed in flight, never resending them', async () => {
    const target = await serve((n, req, res) => (n % 10 === 0 ? req.socket.destroy() : answer(res)));
    const report = await runCountedLoad({ url: target.url, rate: 200, durationS: 1, connections: 4 }).done;
    expect(report).toMatchObject({ issued: 200, ok2xx: 180, non2xx: 0, errors: 20, errorKinds: { ECONNRESET: 20 } });
    expect(report.ok2xx).toBeLessThan(report.issued);
    // Nothing was sent twice: the server saw each issued request once.
    expect(target.arrivals()).toBe(200);
  });

  it('counts a 64 KiB POST cut in the middle of its body as an error, and the others as answered', async () => {
    const target = await serve((n, req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (n % 7 === 0) req.socket.destroy();
      });
      req.on('end', () => (bytes === 64 * 1024 ? answer(res) : answer(res, 400)));
    });
    const report = await runCountedLoad({ url: target.url, rate: 100, durationS: 1, method: 'POST', body: Buffer.alloc(64 * 1024, 'x'), connections: 4 }).done;
    expect(report).toMatchObject({ issued: 100, ok2xx: 86, non2xx: 0, errors: 14 });
    expect(target.arrivals()).toBe(100);
  });

  it('counts a connection cut after the headers of the answer as an error, not an answer', async () => {
    const target = await serve((n, _req, res) => {
      if (n % 5 !== 0) return answer(res);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"host":');
      setTimeout(() => res.socket?.destroy(), 5);
    });
    const report = await runCountedLoad({ url: target.url, rate: 100, durationS: 0.5, connections: 2 }).done;
    expect(report).toMatchObject({ issued: 50, ok2xx: 40, errors: 10, errorKinds: { ECONNRESET: 10 } });
  });

  it('counts other statuses apart, and a request left unanswered as a timeout', async () => {
    const target = await serve((n, _req, res) => {
      if (n === 3) return; // never answered
      answer(res, n % 4 === 0 ? 503 : 200);
    });
    const report = await runCountedLoad({ url: target.url, rate: 40, durationS: 0.5, connections: 4, timeoutMs: 500 }).done;
    expect(report).toMatchObject({ issued: 20, ok2xx: 14, non2xx: 5, errors: 1, errorKinds: { ETIMEDOUT: 1 } });
  });

  it('does not count a connection the server closed between requests as a loss', async () => {
    const target = await serve((_n, _req, res) => {
      res.setHeader('connection', 'close');
      answer(res);
    });
    const report = await runCountedLoad({ url: target.url, rate: 100, durationS: 0.5, connections: 2 }).done;
    expect(report).toMatchObject({ issued: 50, ok2xx: 50, errors: 0 });
  });

  it('stops issuing on stop() and ends once the requests in flight have ended', async () => {
    const target = await serve((_n, _req, res) => answer(res));
    const run = runCountedLoad({ url: target.url, rate: 100, durationS: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.stop();
    const report = await run.done;
    expect(report.issued).toBeGreaterThan(10);
    expect(report.issued).toBeLessThan(100);
    expect(report.ok2xx).toBe(report.issued);
    expect(run.progress()).toEqual({ issued: report.issued, answered: report.issued, finished: true });
  });

  it.each([
    [{ url: 'http://example.com/', rate: 1, durationS: 1 }, /^url: /],
    [{ url: 'http://10.0.0.1:80/', rate: 1, durationS: 1 }, /^url: /],
    [{ url: 'not a url', rate: 1, durationS: 1 }, /^url: /],
    [{ url: 'http://127.0.0.1:1/', rate: 0, durationS: 1 }, /^rate: /],
    [{ url: 'http://127.0.0.1:1/', rate: 1, durationS: -1 }, /^durationS: /],
    [{ url: 'http://127.0.0.1:1/', rate: 1, durationS: 0.2 }, /^durationS: .* sends no request/],
    [{ url: 'http://127.0.0.1:1/', rate: 1, durationS: 1, connections: 0 }, /^connections: /],
    [{ url: 'http://127.0.0.1:1/', rate: 1, durationS: 1, body: Buffer.alloc(1) }, /^body: /],
  ])('refuses %j, naming the field', (options, message) => {
    expect(countedLoadProblem(options)).toMatch(message);
    expect(() => runCountedLoad(options)).toThrow(message);
  });
});
