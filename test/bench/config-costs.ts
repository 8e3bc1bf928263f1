// What each part of ScaleDeck's HAProxy config that a bare config lacks costs per request: (c) less that part,
// loaded round-robin beside (b) and (c), HAProxy's worker CPU per 1,000 requests for each (`--profile`).
import { startScaledeckWithoutPart, haproxyCpuMs, type BenchHaproxy } from './haproxy-beside.js';
import { runThroughput } from './throughput-load.js';
import { row, type FigureRow } from './summary.js';

/** The parts, each as the lines (or server options) taken out of the rendered config. */
export const CONFIG_PARTS: Array<{ name: string; lines: RegExp[] }> = [
  { name: 'option forwardfor', lines: [/^ *option forwardfor\n/m] },
  { name: 'layer-7 retries (retry-on beyond conn-failure)', lines: [/^ *retry-on .*\n/m, /^ *http-request disable-l7-retry.*\n/m] },
  { name: 'the hold at zero replicas (Lua action, its ACL)', lines: [/^ *lua-load .*\n/m, /^ *http-request lua\..*\n/m, /^ *http-request return status 503.*\n/m] },
  { name: 'the reload\'s Connection: close rule', lines: [/^ *http-after-response .*\n/m] },
  { name: 'health checks', lines: [/ check inter \d+ fall 2 rise 1/] },
];

interface Loaded {
  subject: string;
  haproxy: Pick<BenchHaproxy, 'frontend' | 'pidfile'>;
  cpuMsPer1000: number[];
}

async function cpuPer1000(haproxy: Pick<BenchHaproxy, 'frontend' | 'pidfile'>, durationS: number, connections: number): Promise<number> {
  const before = haproxyCpuMs(haproxy.pidfile);
  const report = await runThroughput({ url: haproxy.frontend, durationS, connections });
  return ((haproxyCpuMs(haproxy.pidfile) - before) / Math.max(1, report.requests)) * 1000;
}

/** Rows of CPU per 1,000 requests for (b), (c) and (c) less each part, measured in the same rounds. */
export async function configPartCosts(options: { replicaPort: number; floor: BenchHaproxy; full: BenchHaproxy; rounds: number; durationS: number; connections: number; figure: string }): Promise<FigureRow[]> {
  const started: BenchHaproxy[] = [];
  try {
    for (const part of CONFIG_PARTS) started.push(await startScaledeckWithoutPart(options.replicaPort, part));
    const loaded: Loaded[] = [
      { subject: '(b) bare HAProxy, minimal config', haproxy: options.floor, cpuMsPer1000: [] },
      { subject: '(c) ScaleDeck\'s HAProxy config, latency off', haproxy: options.full, cpuMsPer1000: [] },
      ...CONFIG_PARTS.map((part, i) => ({ subject: `(c) without ${part.name}`, haproxy: started[i] as BenchHaproxy, cpuMsPer1000: [] })),
    ];
    for (const path of loaded) await cpuPer1000(path.haproxy, 1, options.connections);
    for (let round = 0; round < options.rounds; round++) {
      for (const path of loaded) path.cpuMsPer1000.push(await cpuPer1000(path.haproxy, options.durationS, options.connections));
    }
    return loaded.map((path) => row({ figure: options.figure, subject: path.subject, measure: 'HAProxy worker CPU per 1,000 requests (config parts)', unit: 'ms', values: path.cpuMsPer1000 }));
  } finally {
    for (const haproxy of started) await haproxy.stop();
  }
}
