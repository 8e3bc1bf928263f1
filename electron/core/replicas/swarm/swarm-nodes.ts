// The swarm's nodes as the manager reports them each listing: where HAProxy reaches a node's tasks, the name the
// replica table shows, and a line when a node with tasks of ours is lost or back.
import type Dockerode from 'dockerode';
import type { SwarmTask } from './tasks.js';

/** The Engine API's node fields read here; @types/dockerode types listNodes as `any[]`. */
interface NodeInfo {
  ID: string;
  Description?: { Hostname?: string };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Addr?: string };
}

export interface NodeFacts {
  name: string;
  address: string;
  /** Swarm's node state: ready, down, unknown, disconnected. */
  state: string;
}

export class SwarmNodes {
  private nodes = new Map<string, NodeFacts>();
  /** Nodes reported lost, so each loss (and each return) is said once. */
  private readonly lost = new Set<string>();

  constructor(private readonly docker: Dockerode, private readonly service: string, private readonly log: (line: string) => void) {}

  /** Reads the nodes again; says which node holding tasks of ours went down (or came back) since the last time. */
  async refresh(tasks: SwarmTask[]): Promise<void> {
    const listed = (await this.docker.listNodes()) as NodeInfo[];
    this.nodes = new Map(listed.map((node) => [node.ID, factsOf(node)]));
    for (const line of nodeChanges(this.nodes, tasks, this.lost, this.service)) this.log(line);
  }

  /** Where HAProxy reaches a task: its node's address (for a one-node swarm, the address given to `swarm init`). */
  async address(nodeId: string | undefined): Promise<string> {
    if (nodeId && !this.nodes.has(nodeId)) this.nodes = new Map(((await this.docker.listNodes()) as NodeInfo[]).map((node) => [node.ID, factsOf(node)]));
    const address = nodeId ? this.nodes.get(nodeId)?.address : undefined;
    if (!address) throw new Error(`Swarm reports no address for node ${nodeId ?? '(unassigned)'}: check \`docker node inspect ${nodeId ?? ''}\``);
    return address;
  }

  /** The node's host name as `docker node ls` shows it, for the replica table. */
  name(nodeId: string | undefined): string | undefined {
    return nodeId ? this.nodes.get(nodeId)?.name : undefined;
  }
}

function factsOf(node: NodeInfo): NodeFacts {
  const status = node.Status?.Addr;
  // Some managers report 0.0.0.0 as their status address; their advertise address is then in ManagerStatus.
  const address = status && status !== '0.0.0.0' ? status : node.ManagerStatus?.Addr?.replace(/:\d+$/, '') ?? '';
  return { name: node.Description?.Hostname || node.ID.slice(0, 12), address, state: node.Status?.State ?? 'unknown' };
}

/**
 * What a person should hear about the nodes: a node not `ready` that still has running tasks of ours is lost (said
 * once, and remembered in `lost`); a lost node that is ready again is back. Updates `lost`.
 */
export function nodeChanges(nodes: ReadonlyMap<string, NodeFacts>, tasks: SwarmTask[], lost: Set<string>, service: string): string[] {
  const lines: string[] = [];
  for (const [id, node] of nodes) {
    if (node.state === 'ready') {
      if (lost.delete(id)) lines.push(`Swarm node ${node.name} (${node.address}) is ready again: Swarm may place tasks of ${service} on it`);
      continue;
    }
    if (lost.has(id)) continue;
    // Not counted: tasks an earlier loss stranded there may still read `running` (their node never said otherwise).
    if (!tasks.some((t) => t.NodeID === id && t.Status.State === 'running')) continue;
    lost.add(id);
    lines.push(`Swarm node ${node.name} (${node.address}) is ${node.state}: its tasks of ${service} are out of HAProxy and Swarm starts their replacements on the other nodes`);
  }
  return lines;
}
