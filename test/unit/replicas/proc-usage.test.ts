// Specification of reading a process's CPU and memory from /proc: a busy process reads as about a core, an idle
// one as about nothing, its memory as what the kernel reports, and a process that is gone as an error.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcUsage } from '../../../electron/core/replicas/proc-usage.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!existsSync('/proc/self/stat'))('a process usage read from /proc', () => {
  const children: Array<ReturnType<typeof spawn>> = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('sees a spinning process as most of a core and a sleeping one as almost none, between two readings', async () => {
    const spinning = spawn(process.execPath, ['-e', 'for (;;) {}']);
    const sleeping = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    children.push(spinning, sleeping);
    const usage = new ProcUsage();
    await sleep(300);
    usage.read(spinning.pid!);
    usage.read(sleeping.pid!);
    await sleep(1000);
    const busy = usage.read(spinning.pid!);
    const idle = usage.read(sleeping.pid!);
    // The machine may be shared: a spinning process gets at least a good part of a core, never more than one.
    expect(busy.cpuPercent).toBeGreaterThan(30);
    expect(busy.cpuPercent).toBeLessThan(110);
    expect(idle.cpuPercent).toBeLessThan(5);
    expect(idle.memBytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('reads resident memory as the kernel reports it in VmRSS', () => {
    const usage = new ProcUsage().read(process.pid);
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    // Two readings a moment apart of a process that allocates as it runs: close, not equal.
    expect(Math.abs(usage.memBytes / 1024 - rssKb)).toBeLessThan(rssKb * 0.1);
  });

  it('throws for a process that is gone', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    expect(() => new ProcUsage().read(child.pid!)).toThrow();
  });
});
