// Specification of the runtime API reads every service shares: asked once per tick for all, never across a change.
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HaproxyBackend } from '../../../electron/core/service/haproxy-backend.js';
import { RuntimeClient } from '../../../haproxy/runtime-client.js';
import { SharedRuntimeReads } from '../../../haproxy/shared-reads.js';

const STAT = '# pxname,svname,qcur,scur,rate,req_rate,req_tot,type\nin_a,FRONTEND,0,0,0,7,90,0\nsvc_a,BACKEND,1,3,0,0,70,1\nin_b,FRONTEND,0,0,0,2,90,0\nsvc_b,BACKEND,0,5,0,0,20,1\n\n';
const STATE_HEADER = '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change ' +
  'srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port';
const STATE = `1\n${STATE_HEADER}\n3 svc_a 1 a-1 127.0.0.1 2 0 1 1 5 6 3 4 6 0 0 0 - 4001\n4 svc_b 1 b-1 127.0.0.1 2 8 1 1 5 6 3 4 6 0 0 0 - 4002\n\n`;
const ANSWERS: Record<string, string> = { 'show stat': STAT, 'show stat -1 3 -1': STAT, 'show servers state': STATE, 'scaledeck held': '3\nsvc_a 2\nsvc_b 1\n' };

/** A runtime socket answering one command per connection, counting each command it was asked. */
async function fakeHaproxy(): Promise<{ client: RuntimeClient; asked: string[]; close: () => Promise<void> }> {
  const path = join(await mkdtemp(join(tmpdir(), 'scaledeck-reads-')), 'haproxy.sock');
  const asked: string[] = [];
  const server = net.createServer((socket) => {
    socket.once('data', (data) => {
      const cmd = data.toString().trim();
      asked.push(cmd);
      setTimeout(() => socket.end(ANSWERS[cmd] ?? '\n'), 5);
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { client: new RuntimeClient(path, 2000), asked, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const count = (asked: string[], cmd: string) => asked.filter((each) => each === cmd).length;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('SharedRuntimeReads', () => {
  it('asks the proxies\' show stat and the held count once for every service sampling in the same tick, each reading its own backend', async () => {
    const haproxy = await fakeHaproxy();
    close = haproxy.close;
    const reads = new SharedRuntimeReads(() => haproxy.client);
    const a = new HaproxyBackend(() => haproxy.client, 'svc_a', undefined, () => 0, reads);
    const b = new HaproxyBackend(() => haproxy.client, 'svc_b', undefined, () => 0, reads);
    const [trafficA, trafficB] = await Promise.all([a.traffic(), b.traffic()]);
    expect(trafficA).toMatchObject({ requestsTotal: 70, sessions: 3, queue: 1, held: 2 });
    expect(trafficB).toMatchObject({ requestsTotal: 20, sessions: 5, queue: 0, held: 1 });
    expect(count(haproxy.asked, 'show stat -1 3 -1')).toBe(1);
    expect(count(haproxy.asked, 'scaledeck held')).toBe(1);
  });

  it('lists each backend its own servers from one show servers state', async () => {
    const haproxy = await fakeHaproxy();
    close = haproxy.close;
    const reads = new SharedRuntimeReads(() => haproxy.client);
    const a = new HaproxyBackend(() => haproxy.client, 'svc_a', undefined, () => 0, reads);
    const b = new HaproxyBackend(() => haproxy.client, 'svc_b', undefined, () => 0, reads);
    const [serversA, serversB] = await Promise.all([a.servers(), b.servers()]);
    expect(serversA).toEqual([{ name: 'a-1', address: '127.0.0.1', port: 4001, up: true, draining: false, maint: false }]);
    expect(serversB).toEqual([{ name: 'b-1', address: '127.0.0.1', port: 4002, up: true, draining: true, maint: false }]);
    expect(count(haproxy.asked, 'show servers state')).toBe(1);
  });

  it('never answers from before a server change: a read after it asks HAProxy again', async () => {
    const haproxy = await fakeHaproxy();
    close = haproxy.close;
    const reads = new SharedRuntimeReads(() => haproxy.client, 60_000);
    await reads.serversState('svc_a');
    await reads.serversState('svc_a');
    expect(count(haproxy.asked, 'show servers state')).toBe(1);
    const change = haproxy.client.setState('svc_a', 'a-1', 'drain');
    // Asked while the change is under way, and again after it: neither may reuse the answer from before.
    await reads.serversState('svc_a');
    await change;
    await reads.serversState('svc_a');
    expect(count(haproxy.asked, 'show servers state')).toBe(3);
  });

  it('asks again once the last answer is older than its age limit', async () => {
    const haproxy = await fakeHaproxy();
    close = haproxy.close;
    const reads = new SharedRuntimeReads(() => haproxy.client, 0);
    await reads.showStat();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await reads.showStat();
    expect(count(haproxy.asked, 'show stat')).toBe(2);
  });

  it('shares a failure only with those already waiting on it', async () => {
    const haproxy = await fakeHaproxy();
    close = haproxy.close;
    let client = new RuntimeClient('/nonexistent/scaledeck/haproxy.sock', 500);
    const reads = new SharedRuntimeReads(() => client, 60_000);
    await expect(Promise.all([reads.showStat(), reads.showStat()])).rejects.toThrow(/does not exist/);
    client = haproxy.client;
    await expect(reads.showStat()).resolves.toHaveLength(4);
  });
});
