// Swarm cannot publish a task's port on one address (a service's port has no HostIP), so a host-mode task listens on
// every interface of its node. The README's DOCKER-USER rule closes that: on a real one-node swarm, a client on
// another network (a network namespace behind a veth pair, standing in for another machine: its packets arrive on an
// interface as a remote machine's do) reaches the task on the node's non-loopback address until the rule is in place
// and not after, while the node HAProxy runs on still does. The rule is scoped to this test's own container port, and
// the rule and the namespace are removed at the end. (A container is no such stand-in: Docker's own rules hand a
// bridge container's connection to its userland proxy, which connects from the host itself.)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_IMAGE_TAG } from '../../electron/core/image/image-builder.js';
import type { ReplicaSpec } from '../../electron/core/replicas/replica-driver.js';
import { SwarmDriver } from '../../electron/core/replicas/swarm-driver.js';
import { hasDocker, requireAll } from '../support/requirements.js';

const docker = new Dockerode();
const suffix = randomBytes(3).toString('hex');
const service = `scaledeck-fw-${suffix}`;
// A container port no other test uses, so the rule below touches nothing but this test's task.
const CONTAINER_PORT = 18000 + (parseInt(suffix, 16) % 1000);
const spec: ReplicaSpec = { image: API_IMAGE_TAG, containerPort: CONTAINER_PORT, healthPath: '/healthz', cpuLimit: 0.5, memoryLimitMb: 128 };

function canUseIptables(): boolean {
  try {
    execFileSync('iptables', ['-S', 'DOCKER-USER'], { stdio: 'pipe' });
    return true;
  } catch (error) {
    const line = `SKIPPING the Swarm firewall test: iptables cannot read DOCKER-USER (${(error as Error).message.split('\n')[0]}); it needs root`;
    if (requireAll) throw new Error(`${line} (SCALEDECK_REQUIRE_ALL=1 forbids skipping)`);
    console.warn(`\n!!! ${line}\n`);
    return false;
  }
}

function swarmState(): { state: string; manager: boolean } {
  const [state, manager] = execFileSync('docker', ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'], { encoding: 'utf8' }).trim().split(' ');
  return { state: state ?? '', manager: manager === 'true' };
}

/** A non-loopback address of this machine: a real interface's, else Docker's default bridge gateway. */
function nonLoopbackAddress(): string {
  const candidates = Object.entries(os.networkInterfaces())
    .filter(([name]) => !/^(docker|br-|veth|docker_gwbridge)/.test(name))
    .flatMap(([, addresses]) => addresses ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal);
  return candidates[0]?.address ?? '172.17.0.1';
}

/** The README's rule for a task container port and the address of the machine HAProxy runs on. */
function ruleArguments(containerPort: number, haproxyAddress: string): string[] {
  return ['DOCKER-USER', '-p', 'tcp', '--dport', String(containerPort), '-m', 'conntrack', '--ctstate', 'DNAT', '!', '-s', haproxyAddress, '-j', 'DROP'];
}

// Another machine: a namespace with its own address, routed through this one over a veth pair.
const NAMESPACE = `sdfw${suffix}`;
const [HOST_SIDE, OTHER_SIDE] = [`sdfwh${suffix}`, `sdfwn${suffix}`];
const [HOST_SIDE_ADDRESS, OTHER_MACHINE_ADDRESS] = ['198.18.77.1', '198.18.77.2'];

function makeOtherMachine(): void {
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  ip('netns', 'add', NAMESPACE);
  ip('link', 'add', HOST_SIDE, 'type', 'veth', 'peer', 'name', OTHER_SIDE);
  ip('link', 'set', OTHER_SIDE, 'netns', NAMESPACE);
  ip('addr', 'add', `${HOST_SIDE_ADDRESS}/30`, 'dev', HOST_SIDE);
  ip('link', 'set', HOST_SIDE, 'up');
  ip('-n', NAMESPACE, 'addr', 'add', `${OTHER_MACHINE_ADDRESS}/30`, 'dev', OTHER_SIDE);
  ip('-n', NAMESPACE, 'link', 'set', OTHER_SIDE, 'up');
  ip('-n', NAMESPACE, 'link', 'set', 'lo', 'up');
  ip('-n', NAMESPACE, 'route', 'add', 'default', 'via', HOST_SIDE_ADDRESS);
}

/** GET from the other machine. True when it answered 200. */
async function reachableFromAnotherNetwork(url: string): Promise<boolean> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(3000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(2))`;
  try {
    execFileSync('ip', ['netns', 'exec', NAMESPACE, process.execPath, '-e', script], { stdio: 'pipe', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

async function reachableFromThisMachine(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(3000) }).then((r) => r.status === 200, () => false);
}

const usable = hasDocker() && canUseIptables() && ((s) => s.state === 'inactive' || s.manager)(swarmState());

describe.skipIf(!usable)('a Swarm task behind the DOCKER-USER rule', () => {
  let joinedByTest = false;
  let madeGatewayBridge = false;
  let ruleAdded: string[] | null = null;
  const driver = new SwarmDriver({ app: `fw${suffix}`, docker, service, startTimeoutMs: 60_000 });

  beforeAll(async () => {
    if (swarmState().state === 'inactive') {
      const hadBridge = (await docker.listNetworks({ filters: { name: ['docker_gwbridge'] } })).some((n) => n.Name === 'docker_gwbridge');
      execFileSync('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1'], { stdio: 'pipe' });
      joinedByTest = true;
      madeGatewayBridge = !hadBridge;
    }
    makeOtherMachine();
  });

  afterAll(async () => {
    if (ruleAdded) execFileSync('iptables', ['-D', ...ruleAdded], { stdio: 'pipe' });
    // Deleting the namespace deletes the veth pair with it.
    execFileSync('ip', ['netns', 'del', NAMESPACE], { stdio: 'pipe' });
    await driver.close();
    await docker.getService(service).remove().catch(() => undefined);
    if (joinedByTest) execFileSync('docker', ['swarm', 'leave', '--force'], { stdio: 'pipe' });
    if (madeGatewayBridge) await docker.getNetwork('docker_gwbridge').remove().catch(() => undefined);
  });

  it('is reached from another network on a non-loopback address only until the rule is in place', async () => {
    const task = await driver.create(spec);
    const address = nonLoopbackAddress();
    const url = `http://${address}:${task.hostPort}/healthz`;

    // The negative control: without the rule, the task answers anyone who reaches the node.
    const before = { other: await reachableFromAnotherNetwork(url), here: await reachableFromThisMachine(url) };

    // HAProxy runs on this machine: its connections to the node never cross the FORWARD chain, so `! -s` keeps a
    // remote HAProxy machine's address allowed and changes nothing here.
    ruleAdded = ruleArguments(CONTAINER_PORT, address);
    execFileSync('iptables', ['-I', ...ruleAdded], { stdio: 'pipe' });
    const during = { other: await reachableFromAnotherNetwork(url), here: await reachableFromThisMachine(url) };

    execFileSync('iptables', ['-D', ...ruleAdded], { stdio: 'pipe' });
    ruleAdded = null;
    const after = { other: await reachableFromAnotherNetwork(url) };
    console.log(`[swarm firewall] task ${address}:${task.hostPort} (container port ${CONTAINER_PORT}): ` +
      `from another network ${before.other} -> with the rule ${during.other} -> rule removed ${after.other}; ` +
      `from this machine ${before.here} -> with the rule ${during.here}`);

    expect(before).toEqual({ other: true, here: true });
    expect(during).toEqual({ other: false, here: true });
    expect(after).toEqual({ other: true });
    await driver.remove(task.id, 1);
  });
});
