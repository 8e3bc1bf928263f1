// A stray error (an `error` event no one listens to, a rejected promise no one awaits) is logged and the process
// keeps serving: checked in a real child process running the built module, since the handlers are process-wide.
import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('the last-resort handler', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('logs an unheard error event and an unhandled rejection, and the process goes on to answer a request', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scaledeck-last-resort-'));
    const script = path.join(dir, 'stray.mjs');
    const module = path.resolve('dist/electron/shells/common/last-resort.js');
    writeFileSync(script, `
      import http from 'node:http';
      import { EventEmitter } from 'node:events';
      import { keepServingOnStrayErrors } from ${JSON.stringify(module)};
      keepServingOnStrayErrors((line) => console.log(line));
      // As a client library's socket does: the error event comes later, from the event loop.
      setImmediate(() => new EventEmitter().emit('error', new Error('getaddrinfo ENOTFOUND containers')));
      setImmediate(() => void Promise.reject(new Error('nobody awaited this')));
      const server = http.createServer((_req, res) => res.end('still serving'));
      server.listen(0, '127.0.0.1', () => setTimeout(async () => {
        const text = await (await fetch('http://127.0.0.1:' + server.address().port + '/')).text();
        console.log('answer: ' + text);
        server.close();
      }, 50));
    `);
    const { stdout } = await run(process.execPath, [script], { timeout: 20_000 });
    expect(stdout).toMatch(/\[error\] uncaught exception, kept serving .*ENOTFOUND containers/);
    expect(stdout).toMatch(/\[error\] unhandled promise rejection, kept serving .*nobody awaited this/);
    expect(stdout).toContain('answer: still serving');
  });
});
