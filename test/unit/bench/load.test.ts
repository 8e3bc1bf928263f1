// Specification of the benchmarks' paced load: counts by phase, first and last answer per replica, exact totals.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load.js';

describe('bench runLoad', () => {
  let server: http.Server;
  let url: string;
  let arrivals = 0;
  beforeAll(async () => {
    // Two "replicas" by turns; every fifth request has its connection cut.
    server = http.createServer((req, res) => {
      arrivals += 1;
      if (arrivals % 5 === 0) return req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ host: arrivals % 2 ? 'odd' : 'even' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('counts every request once, by the phase it ended in, and notes when each replica first and last answered', async () => {
    const seen: string[] = [];
    const load = runLoad({ url, rate: 100, durationS: 1, connections: 2 });
    load.onNewHost((host) => seen.push(host));
    setTimeout(() => load.setPhase('second half'), 500);
    const report = await load.done;
    expect(report).toMatchObject({ issued: 100, ok2xx: 80, requests: 80, non2xx: 0, errors: 20, errorKinds: { ECONNRESET: 20 } });
    const phases = Object.values(report.byPhase);
    expect(phases.reduce((sum, p) => sum + p.requests + p.errors, 0)).toBe(100);
    expect(Object.keys(report.byPhase).sort()).toEqual(['second half', 'steady']);
    expect(seen.sort()).toEqual(['even', 'odd']);
    for (const host of seen) expect(report.lastSeen.get(host)!).toBeGreaterThanOrEqual(report.firstSeen.get(host)!);
    expect(report.latencyP99Ms).toBeGreaterThanOrEqual(report.latencyP50Ms);
  });
});
