// The sample api server, run in-process on a free port: its routes, limits and graceful shutdown.
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiServer, MAX_ECHO_BYTES, type ApiServer } from '../../../api/server.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

let api: ApiServer | undefined;

afterEach(async () => {
  if (api) await api.shutdown();
  api = undefined;
});

async function start(hostName = 'replica-a'): Promise<number> {
  api = createApiServer({ hostName, shutdownDeadlineMs: 5_000 });
  const server = api.server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function call(port: number, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('api server', () => {
  it('says hello with its host name on GET /', async () => {
    const port = await start('replica-a');
    const answer = await call(port, 'GET', '/');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body).toEqual({ host: 'replica-a', message: 'Hello' });
  });

  it('reports healthy on GET /healthz', async () => {
    const port = await start();
    const answer = await call(port, 'GET', '/healthz');
    expect(answer).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('burns the requested CPU time on GET /work', async () => {
    const port = await start();
    const began = performance.now();
    const answer = await call(port, 'GET', '/work?ms=120');
    expect(performance.now() - began).toBeGreaterThanOrEqual(115);
    expect(answer).toMatchObject({ status: 200, body: { host: 'replica-a', ms: 120 } });
  });

  it.each(['', 'abc', '-1', '2001', '1.5', '1e3', '99999'])('rejects /work?ms=%s with 400 and the rule', async (ms) => {
    const port = await start();
    const answer = await call(port, 'GET', `/work?ms=${ms}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'ms: must be a whole number from 0 to 2000' });
  });

  it('rejects /work without ms', async () => {
    const port = await start();
    expect((await call(port, 'GET', '/work')).status).toBe(400);
  });

  it('counts the bytes POSTed to /echo', async () => {
    const port = await start();
    const answer = await call(port, 'POST', '/echo', Buffer.alloc(MAX_ECHO_BYTES, 'x'));
    expect(answer).toMatchObject({ status: 200, body: { host: 'replica-a', bytes: MAX_ECHO_BYTES } });
  });

  it('answers 413 to a body over 1 MiB declared by Content-Length', async () => {
    const port = await start();
    const answer = await call(port, 'POST', '/echo', Buffer.alloc(MAX_ECHO_BYTES + 1));
    expect(answer.status).toBe(413);
    expect(answer.body.error).toMatch(/1048576 bytes or less/);
  });

  it('answers 413 to a chunked body that grows over 1 MiB', async () => {
    const port = await start();
    const answer = await call(port, 'POST', '/echo', Buffer.alloc(2 * MAX_ECHO_BYTES), { 'Transfer-Encoding': 'chunked' });
    expect(answer.status).toBe(413);
  });

  it('answers 404 with JSON for an unknown path', async () => {
    const port = await start();
    const answer = await call(port, 'GET', '/nope');
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatch(/\/nope/);
  });

  it('answers 405 to the wrong method', async () => {
    const port = await start();
    const answer = await call(port, 'POST', '/');
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET');
  });

  it('lets a request in flight when shutdown begins finish, then stops accepting', async () => {
    const port = await start();
    // Begin the shutdown as the request arrives, before its handler starts burning CPU.
    let shutdown: Promise<boolean> | undefined;
    api!.server.prependListener('request', () => {
      shutdown = api!.shutdown();
    });
    const answer = await call(port, 'GET', '/work?ms=500');
    expect(shutdown).toBeDefined();
    expect(answer).toMatchObject({ status: 200, body: { ms: 500 } });
    expect(answer.headers.connection).toBe('close');
    expect(await shutdown).toBe(true);
    await expect(call(port, 'GET', '/')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('lets an upload in progress when shutdown begins finish', async () => {
    const port = await start();
    const answer = new Promise<Answer>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/echo', agent: false, headers: { 'Content-Length': '6' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
      req.on('error', reject);
      req.write('abc');
      api!.server.once('request', () => {
        void api!.shutdown();
        setTimeout(() => req.end('def'), 100);
      });
    });
    expect(await answer).toMatchObject({ status: 200, body: { bytes: 6 }, headers: { connection: 'close' } });
  });

  it('reports 503 on /healthz once shutting down', async () => {
    const port = await start();
    api!.server.prependListener('request', () => void api!.shutdown());
    const answer = await call(port, 'GET', '/healthz');
    expect(answer.status).toBe(503);
  });

  it('cuts connections still open at the shutdown deadline', async () => {
    api = createApiServer({ hostName: 'replica-a', shutdownDeadlineMs: 200 });
    const server = api.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const stalled = new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/echo', agent: false, headers: { 'Content-Length': '10' } });
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.write('abc');
    });
    await new Promise((resolve) => server.once('request', resolve));
    expect(await api.shutdown()).toBe(false);
    expect(await stalled).toBe('ECONNRESET');
  });
});
