import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { identityOfStat, ProcessIdentity } from '../../../electron/core/replicas/process-identity.js';

const MARK = 'scaledeck-identity-test-mark';
const children: ChildProcess[] = [];

/** A process whose command line carries MARK, as a replica's carries the server script's path. */
async function startMarked(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', MARK], { stdio: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  return child.pid as number;
}

async function stop(pid: number): Promise<void> {
  const child = children.find((each) => each.pid === pid)!;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe.skipIf(!existsSync('/proc/self/stat'))('ProcessIdentity', () => {
  const identity = () => new ProcessIdentity((args) => args.includes(MARK));

  it('confirms a process by its command line, and refuses one that is not ours', async () => {
    const pid = await startMarked();
    const ids = identity();
    expect(ids.confirm(pid)).toBe(true);
    expect(ids.confirm(process.pid)).toBe(false);
    expect(ids.stillRunning(process.pid)).toBe(false);
  });

  it('sees a confirmed process end, by signal 0 and by its missing /proc entry', async () => {
    const pid = await startMarked();
    const ids = identity();
    expect(ids.stillRunning(pid)).toBe(true);
    await stop(pid);
    expect(ids.stillRunning(pid)).toBe(false);
    expect(ids.confirm(pid)).toBe(false);
  });

  it('tells a reused pid apart by its start time, and a zombie by its state', async () => {
    const pid = await startMarked();
    const ids = identity();
    expect(ids.confirm(pid)).toBe(true);
    const now = identityOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    expect(ids.matches(pid, now)).toBe(true);
    // The same pid with another start time: another process took it after ours ended.
    expect(ids.matches(pid, { ...now, startTicks: String(Number(now.startTicks) + 1) })).toBe(false);
    // Forgotten: the next listing reads the command line again instead of trusting signal 0.
    expect(ids.confirm(pid)).toBe(true);
    expect(ids.matches(pid, { ...now, state: 'Z' })).toBe(false);
  });

  it('reads the state and start time after a command name holding spaces and parentheses', () => {
    const fields = ['S', ...Array.from({ length: 18 }, (_, i) => String(i)), '987654', '1', '2'];
    expect(identityOfStat(`42 (we (ird) name) ${fields.join(' ')}`)).toEqual({ state: 'S', startTicks: '987654' });
  });
});
