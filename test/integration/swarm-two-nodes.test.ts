// Swarm replicas on two real nodes: this machine's engine (manager) and a second dockerd in a network namespace
// (worker), made by scripts/lab-two-nodes.sh. Scaling 1 -> 4 -> 1 over both nodes, Swarm's rolling update over both
// with a server that exits at once on SIGTERM, a broken version rolled back, the README's firewall rule on the worker,
// and a lost worker (its link cut, then its engine killed): every request counted.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeClient } from '../../haproxy/runtime-client.js';
import { BACKEND_NAME } from '../../electron/core/service/haproxy-backend.js';
import type { SwarmTask } from '../../electron/core/replicas/swarm/tasks.js';
import { hasDocker, hasHaproxy, requireAll } from '../support/requirements.js';
import { hostsThroughFrontend, runLoad, startPlane, waitFor, type LoadReport, type LoadRun, type PlaneFixture } from '../support/control-plane-fixture.js';
import { buildOffline, sampleHealthcheck } from '../support/swarm-images.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const docker = new Dockerode();
const suffix = Math.random().toString(16).slice(2, 8);
const LAB = { SCALEDECK_LAB_NAME: `sd${suffix}` };
const [MANAGER_ADDRESS, WORKER_ADDRESS] = ['10.231.0.1', '10.231.0.2'];
const service = `scaledeck-2n-${suffix}`;
// Made offline from the sample image: its HEALTHCHECK, and a process that exits at once on SIGTERM (in-flight
// requests are cut), in two versions; and one whose command exits at once.
const ABRUPT_EXIT = 'CMD ["node", "--import", "data:text/javascript,process.prependListener(\'SIGTERM\',()=>process.exit(0))", "server.js"]';
const V1 = `scaledeck/api:2n-v1-${suffix}`;
const V2 = `scaledeck/api:2n-v2-${suffix}`;
const BROKEN = `scaledeck/api:2n-broken-${suffix}`;

function swarmState(): string | null {
  if (!hasDocker()) return null;
  return execFileSync('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'], { encoding: 'utf8' }).trim();
}

function lab(...args: string[]): string {
  return execFileSync('bash', ['scripts/lab-two-nodes.sh', ...args], { encoding: 'utf8', env: { ...process.env, ...LAB }, stdio: ['ignore', 'pipe', 'inherit'] });
}

const before = swarmState();
// The lab makes its own swarm: the engine must be in none (the other swarm tests leave theirs when they end).
const usable = before === 'inactive';
if (before !== null && !usable) {
  const line = `SKIPPING two-node swarm tests: this Docker engine is in a swarm already (${before})`;
  if (requireAll) throw new Error(`${line} (SCALEDECK_REQUIRE_ALL=1 forbids skipping)`);
  console.warn(`\n!!! ${line}\n`);
}

/** GET / and POST /echo with 64 KiB bodies at once. */
function loadBoth(frontend: string, durationS: number, rate = 60): LoadRun[] {
  return [
    runLoad({ url: new URL('/', frontend).toString(), rate, durationS }),
    runLoad({ url: new URL('/echo', frontend).toString(), rate: rate / 2, durationS, method: 'POST', body: Buffer.alloc(64 * 1024, 'x') }),
  ];
}

async function counted(loads: LoadRun[], label: string): Promise<{ get: LoadReport; post: LoadReport }> {
  const [get, post] = (await Promise.all(loads.map((l) => l.done))) as [LoadReport, LoadReport];
  const line = (r: LoadReport) => `issued ${r.issued}, 2xx ${r.ok2xx}, non-2xx ${r.non2xx}, errors ${r.errors}, replicas ${r.hosts.size}`;
  console.log(`[two nodes / ${label}] GET ${line(get)}; POST 64 KiB ${line(post)}`);
  return { get, post };
}

async function tasksOf(name: string): Promise<SwarmTask[]> {
  return (await docker.listTasks({ filters: { service: [name] } })) as SwarmTask[];
}

/** HAProxy's servers: name, address and health status. */
async function servers(client: RuntimeClient): Promise<Array<{ name: string; address: string; status: string }>> {
  const [state, stat] = await Promise.all([client.showServersState(BACKEND_NAME), client.showStat()]);
  return state.map((s) => ({ name: s.name, address: s.address, status: stat.find((r) => r.proxy === BACKEND_NAME && r.server === s.name)?.status ?? '?' }));
}

/**
 * Each time a task container of the service dies on either engine, how HAProxy stands for its server at that moment
 * ('gone' once deleted after its drain). A container's death is when its in-flight requests would be cut.
 */
async function watchDeaths(engines: Dockerode[], client: RuntimeClient) {
  const seen: Array<{ task: string; haproxy: string }> = [];
  const pending: Promise<void>[] = [];
  const streams = await Promise.all(engines.map((engine) => engine.getEvents({
    filters: { type: ['container'], event: ['die'], label: [`com.docker.swarm.service.name=${service}`] },
  }) as Promise<NodeJS.ReadableStream & { destroy(): void }>));
  for (const stream of streams) {
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const task = (JSON.parse(line) as { Actor: { Attributes: Record<string, string> } }).Actor.Attributes['com.docker.swarm.task.id'];
        pending.push(client.showServersState(BACKEND_NAME).then((list) => {
          const server = list.find((s) => s.name.endsWith(`-${task.slice(0, 6)}`));
          seen.push({ task, haproxy: !server ? 'gone' : server.maint ? 'maint' : server.drain ? 'draining' : 'in rotation' });
        }));
      }
    });
  }
  return { seen, stop: async () => {
    for (const stream of streams) stream.destroy();
    await Promise.all(pending);
  } };
}

describe.skipIf(!hasHaproxy() || !hasDocker() || !usable)('Swarm replicas on two nodes', () => {
  let worker: Dockerode;
  let workerNode = '';
  let fixture: PlaneFixture | undefined;
  let client: RuntimeClient;

  beforeAll(async () => {
    const checked = ['FROM scaledeck/api:latest', sampleHealthcheck(), ABRUPT_EXIT];
    await buildOffline(docker, V1, [...checked, `LABEL scaledeck.test=2n-v1-${suffix}`]);
    await buildOffline(docker, V2, [...checked, `LABEL scaledeck.test=2n-v2-${suffix}`]);
    await buildOffline(docker, BROKEN, [...checked, 'CMD ["node", "-e", "process.exit(1)"]']);
    const started = Date.now();
    const facts = Object.fromEntries(lab(V1, V2, BROKEN).trim().split('\n').map((l) => l.split('=') as [string, string]));
    console.log(`[two nodes] lab up in ${((Date.now() - started) / 1000).toFixed(1)} s: worker node ${facts.WORKER_NODE} on ${facts.WORKER_SOCKET}`);
    worker = new Dockerode({ socketPath: facts.WORKER_SOCKET });
    workerNode = facts.WORKER_NODE!;
  }, 300_000);

  afterAll(async () => {
    await fixture?.stop().catch(() => undefined);
    await docker.getService(service).remove().catch(() => undefined);
    lab('--down');
    for (const tag of [V1, V2, BROKEN]) await docker.getImage(tag).remove().catch(() => undefined);
    expect(swarmState()).toBe('inactive');
  }, 120_000);

  it('spreads 1 -> 4 -> 1 over both nodes under GET and 64 KiB POST load: every request answered, Swarm stops exactly the drained tasks', async () => {
    fixture = await startPlane({ driver: 'swarm', swarmService: service, image: V1, drainTimeoutS: 10 }, { desired: 1 });
    const { plane } = fixture;
    client = new RuntimeClient(path.join(fixture.dataDir, 'haproxy.sock'));
    await waitFor(() => fixture!.ready() === 1, 90_000, 'the first task');
    const loads = loadBoth(fixture.frontend, 70);
    await sleep(1000);

    await plane.scale({ replicas: 4 });
    await waitFor(() => fixture!.ready() === 4, 90_000, '4 ready tasks');
    const spread = await servers(client);
    const nodes = plane.snapshot().replicas.map((r) => r.node);
    const workerReplica = plane.snapshot().replicas.find((r) => r.node?.endsWith('-worker'));
    console.log(`[two nodes / 1 -> 4] HAProxy servers ${spread.map((s) => `${s.name}@${s.address} ${s.status}`).join(', ')}; nodes ${nodes.join(', ')}; ` +
      `a worker task's note: ${workerReplica?.note}`);
    expect(new Set(spread.map((s) => s.address))).toEqual(new Set([MANAGER_ADDRESS, WORKER_ADDRESS]));
    await sleep(5000);
    const settled = await servers(client);
    console.log(`[two nodes / 1 -> 4] 5 s later: ${settled.map((s) => `${s.name} ${s.status}`).join(', ')}`);
    expect(settled.every((s) => s.status.startsWith('UP'))).toBe(true);
    const answering = await hostsThroughFrontend(fixture.frontend, 12);
    console.log(`[two nodes / 1 -> 4] 12 GETs answered by ${answering.size} tasks`);
    expect(answering.size).toBe(4);
    expect(new Set(nodes).size).toBe(2);
    await waitFor(() => plane.snapshot().replicas.find((r) => r.node?.endsWith('-worker'))?.note, 10_000, 'a note on a worker task');
    expect(plane.snapshot().replicas.find((r) => r.node?.endsWith('-worker'))?.note).toMatch(/another node/);

    const idByName = new Map(plane.snapshot().replicas.map((r) => [r.name, r.id]));
    const running = async () => (await tasksOf(service)).filter((t) => t.DesiredState === 'running' && t.Status.State === 'running').map((t) => t.ID);
    const tasksBefore = await running();
    const drained: string[] = [];
    const unsubscribe = plane.subscribe((message) => {
      const match = message.type === 'event' ? /^Drained and stopped (\S+)/.exec(message.event.message) : null;
      if (match) drained.push(idByName.get(match[1]) ?? match[1]);
    });
    await plane.scale({ replicas: 1 });
    await waitFor(() => plane.snapshot().replicas.length === 1 && fixture!.ready() === 1, 120_000, 'scale-in to 1 task');
    unsubscribe();
    const tasksAfter = await running();
    const disappeared = tasksBefore.filter((id) => !tasksAfter.includes(id));
    const { get, post } = await counted(loads, '1 -> 4 -> 1');
    expect(drained.sort()).toEqual(disappeared.sort());
    expect(disappeared).toHaveLength(3);
    expect(get.ok2xx).toBe(get.issued);
    expect(post.ok2xx).toBe(post.issued);
    expect(get.issued).toBeGreaterThan(1000);
    console.log(`[two nodes / 1 -> 4 -> 1] tasks that answered the GET load: ${get.hosts.size}`);
  }, 240_000);

  it("rolls 4 tasks on 2 nodes to a new version with Swarm's update, each old task drained before it dies; then a broken version rolled back by Swarm", async () => {
    const { plane } = fixture!;
    await plane.scale({ replicas: 4 });
    await waitFor(() => fixture!.ready() === 4, 90_000, '4 ready tasks');
    const old = new Map(plane.snapshot().replicas.map((r) => [r.id, r.name]));
    const oldNodes = plane.snapshot().replicas.map((r) => r.node);
    const deaths = await watchDeaths([docker, worker], client);
    const loads = loadBoth(fixture!.frontend, 80);
    await sleep(1000);

    const startedAt = Date.now();
    expect('result' in (await plane.updateSettings({ image: V2 }))).toBe(true);
    let fewestReady = Infinity;
    await waitFor(() => {
      fewestReady = Math.min(fewestReady, fixture!.ready());
      const { rollout, replicas } = plane.snapshot();
      return rollout.state === 'idle' && replicas.length === 4 && fixture!.ready() === 4 && replicas.every((r) => r.generation?.startsWith('2n-v2'));
    }, 150_000, 'every task on the new version');
    const tookS = (Date.now() - startedAt) / 1000;
    await waitFor(() => deaths.seen.filter((d) => old.has(d.task)).length >= 4, 60_000, 'the 4 old tasks to die').catch(() => undefined);
    const newNodes = plane.snapshot().replicas.map((r) => r.node);

    // A version whose command exits at once: Swarm rolls it back, the v2 tasks keep serving.
    const serving = plane.snapshot().replicas.map((r) => r.name).sort();
    expect('result' in (await plane.updateSettings({ image: BROKEN }))).toBe(true);
    await waitFor(() => /rolled the update back/.test(plane.snapshot().rollout.reason ?? ''), 90_000, 'Swarm to roll the broken version back');
    expect(plane.snapshot().replicas.filter((r) => r.state === 'ready').map((r) => r.name).sort()).toEqual(serving);
    expect('result' in (await plane.rollback())).toBe(true);
    await waitFor(() => plane.snapshot().rollout.state === 'idle' && fixture!.ready() === 4, 60_000, 'the rollback to settle');
    expect(loads.every((l) => !l.progress().finished)).toBe(true);
    await deaths.stop();

    const { get, post } = await counted(loads, `rollout of 4 tasks in ${tookS.toFixed(1)} s, fewest ready ${fewestReady}, then a broken version rolled back`);
    const oldDeaths = deaths.seen.filter((d) => old.has(d.task));
    console.log(`[two nodes / rollout] nodes before ${oldNodes.join(', ')}, after ${newNodes.join(', ')}; HAProxy when each old task died: ` +
      `${oldDeaths.map((d) => `${old.get(d.task)} ${d.haproxy}`).join(', ')}`);
    const events = plane.snapshot().events.map((e) => e.message);
    expect(oldDeaths).toHaveLength(4);
    expect(oldDeaths.every((d) => d.haproxy === 'gone')).toBe(true);
    for (const name of old.values()) expect(events.some((e) => e.startsWith(`Removing ${name}`))).toBe(false);
    expect(new Set(oldNodes).size).toBe(2);
    expect(fewestReady).toBeGreaterThanOrEqual(4);
    expect(get.ok2xx).toBe(get.issued);
    expect(post.ok2xx).toBe(post.issued);
    expect(get.issued).toBeGreaterThan(1000);
  }, 300_000);

  it("the README's DOCKER-USER rule on the worker: HAProxy on the manager still reaches its tasks, another machine does not", async () => {
    const { plane, frontend } = fixture!;
    const onWorker = plane.snapshot().replicas.find((r) => r.node?.endsWith('-worker'));
    expect(onWorker).toBeDefined();
    // A third machine on its own link to the worker: its packets reach the task the way another machine's would.
    const [client3, workerSide, clientSide] = [`${LAB.SCALEDECK_LAB_NAME}c`, `${LAB.SCALEDECK_LAB_NAME}x`, `${LAB.SCALEDECK_LAB_NAME}y`];
    const inWorker = ['nsenter', `--net=/var/run/netns/${LAB.SCALEDECK_LAB_NAME}`];
    const run = (command: string[]) => execFileSync(command[0]!, command.slice(1), { stdio: 'pipe' });
    const rule = ['DOCKER-USER', '-p', 'tcp', '--dport', '8000', '-m', 'conntrack', '--ctstate', 'DNAT', '!', '-s', MANAGER_ADDRESS, '-j', 'DROP'];
    const url = `http://10.231.0.5:${onWorker!.hostPort}/healthz`;
    const fromThirdMachine = (): boolean => {
      const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(3000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(2))`;
      try {
        run(['nsenter', `--net=/var/run/netns/${client3}`, process.execPath, '-e', script]);
        return true;
      } catch {
        return false;
      }
    };
    run(['ip', 'netns', 'add', client3]);
    let ruleAdded = false;
    try {
      run(['ip', 'link', 'add', clientSide, 'netns', client3, 'type', 'veth', 'peer', 'name', workerSide, 'netns', LAB.SCALEDECK_LAB_NAME]);
      run([...inWorker, 'ip', 'addr', 'add', '10.231.0.5/30', 'dev', workerSide]);
      run([...inWorker, 'ip', 'link', 'set', workerSide, 'up']);
      run(['ip', '-n', client3, 'addr', 'add', '10.231.0.6/30', 'dev', clientSide]);
      run(['ip', '-n', client3, 'link', 'set', clientSide, 'up']);
      const before = fromThirdMachine();
      run([...inWorker, 'iptables', '-I', ...rule]);
      ruleAdded = true;
      const loads = loadBoth(frontend, 10);
      const during = fromThirdMachine();
      const { get, post } = await counted(loads, 'DOCKER-USER rule on the worker');
      run([...inWorker, 'iptables', '-D', ...rule]);
      ruleAdded = false;
      const after = fromThirdMachine();
      console.log(`[two nodes / firewall] another machine reaches a worker task: ${before} -> with the rule ${during} -> rule removed ${after}`);
      expect({ before, during, after }).toEqual({ before: true, during: false, after: true });
      expect(get.hosts.size).toBe(4);
      expect(get.ok2xx).toBe(get.issued);
      expect(post.ok2xx).toBe(post.issued);
    } finally {
      if (ruleAdded) run([...inWorker, 'iptables', '-D', ...rule]);
      // Deleting the namespace deletes the veth pair with it.
      run(['ip', 'netns', 'del', client3]);
    }
  });

  it('a lost worker (its link cut, then its engine killed): HAProxy takes its servers out, Swarm replaces its tasks on the manager, ScaleDeck says so', async () => {
    const { plane, frontend } = fixture!;
    const results: string[] = [];
    for (const how of ['link cut', 'engine killed'] as const) {
      // Tasks on both nodes first: Swarm places new tasks on the node with fewest of them.
      if (!plane.snapshot().replicas.some((r) => r.node?.endsWith('-worker'))) {
        await plane.scale({ replicas: 2 });
        await waitFor(() => plane.snapshot().replicas.length === 2 && fixture!.ready() === 2, 120_000, '2 tasks');
        await plane.scale({ replicas: 4 });
        await waitFor(() => fixture!.ready() === 4, 90_000, '4 ready tasks');
      }
      const onWorker = plane.snapshot().replicas.filter((r) => r.node?.endsWith('-worker')).map((r) => r.name);
      expect(onWorker.length).toBeGreaterThan(0);
      const loads = loadBoth(frontend, 45);
      await sleep(3000);
      const onWorkerStats = async () => (await client.showStat()).filter((r) => r.proxy === BACKEND_NAME && onWorker.includes(r.server));
      const atLoss = await onWorkerStats();
      const lostAt = Date.now();
      if (how === 'link cut') execFileSync('ip', ['link', 'set', `${LAB.SCALEDECK_LAB_NAME}h`, 'down']);
      else lab('--kill-worker');
      const outOfHaproxyMs = Number(await waitFor(async () => (await servers(client)).every((s) => s.address !== WORKER_ADDRESS || !s.status.startsWith('UP')) && Date.now() - lostAt, 60_000, 'the worker servers out of rotation'));
      // Sessions HAProxy opened to the lost tasks from the moment of the loss until it took them out: the most a loss can cut.
      const atOut = await onWorkerStats();
      const exposed = atLoss.reduce((n, r) => n + r.scur, 0) + atOut.reduce((n, r) => n + r.stot, 0) - atLoss.reduce((n, r) => n + r.stot, 0);
      // The node event and the replacements are timed side by side: neither waits for the other.
      let noticedMs = Number.NaN;
      let backMs = Number.NaN;
      const lostEvent = () => plane.snapshot().events.filter((e) => e.at >= lostAt).some((e) => /^Swarm node .* is (down|unknown|disconnected)/.test(e.message));
      const replaced = () => {
        const replicas = plane.snapshot().replicas;
        return replicas.length === 4 && fixture!.ready() === 4 && replicas.every((r) => !r.node?.endsWith('-worker'));
      };
      await waitFor(() => {
        if (Number.isNaN(noticedMs) && lostEvent()) noticedMs = Date.now() - lostAt;
        if (Number.isNaN(backMs) && replaced()) backMs = Date.now() - lostAt;
        return !Number.isNaN(noticedMs) && !Number.isNaN(backMs);
      }, 90_000, 'the lost node event and 4 ready tasks on the manager').catch(async (error: Error) => {
        const nodes = (await docker.listNodes()) as Array<{ Description?: { Hostname?: string }; Status?: { State?: string } }>;
        const tasks = (await tasksOf(service)).map((t) => `${t.Slot}:${t.NodeID === workerNode ? 'worker' : 'manager'}:${t.DesiredState}/${t.Status.State}`);
        console.log(`[two nodes / lost worker] ${error.message}; nodes ${nodes.map((n) => `${n.Description?.Hostname} ${n.Status?.State}`).join(', ')}; tasks ${tasks.join(' ')}; ` +
          `events ${plane.snapshot().events.filter((e) => e.at >= lostAt).map((e) => e.message).join(' | ')}`);
      });
      const { get, post } = await counted(loads, `worker ${how}`);
      const after = loadBoth(frontend, 10);
      const clean = await counted(after, `after the worker ${how}`);
      const lost = get.issued - get.ok2xx + post.issued - post.ok2xx;
      results.push(`${how}: out of HAProxy after ${(outOfHaproxyMs / 1000).toFixed(1)} s, node reported lost after ${(noticedMs / 1000).toFixed(1)} s, ` +
        `4 tasks serving on the manager after ${(backMs / 1000).toFixed(1)} s; ${lost} of ${get.issued + post.issued} requests lost (${onWorker.length} task(s) on the worker; ` +
        `${atLoss.reduce((n, r) => n + r.scur, 0)} sessions in flight on them at the loss, ${exposed} in flight or sent to them until HAProxy took them out)`);
      console.log(`[two nodes / lost worker] ${results.at(-1)}; events: ${plane.snapshot().events.filter((e) => e.at >= lostAt).map((e) => e.message).filter((m) => /node|serving/.test(m)).join(' | ')}`);
      expect(noticedMs).toBeLessThan(90_000);
      expect(backMs).toBeLessThan(90_000);
      expect(outOfHaproxyMs).toBeLessThan(10_000);
      expect(lost).toBeLessThanOrEqual(exposed);
      expect(clean.get.ok2xx).toBe(clean.get.issued);
      expect(clean.post.ok2xx).toBe(clean.post.issued);
      expect((await docker.getService(service).inspect() as Dockerode.Service).Spec?.Mode?.Replicated?.Replicas).toBe(4);
      if (how === 'link cut') {
        execFileSync('ip', ['link', 'set', `${LAB.SCALEDECK_LAB_NAME}h`, 'up']);
        await waitFor(async () => (await docker.listNodes() as Array<{ ID: string; Status?: { State?: string } }>).find((n) => n.ID === workerNode)?.Status?.State === 'ready', 60_000, 'the worker back');
      }
    }
    console.log(`[two nodes / lost worker] ${results.join('; ')}`);
  }, 480_000);
});
