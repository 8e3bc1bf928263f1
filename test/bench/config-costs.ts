// What each part of ScaleDeck's HAProxy config that a bare config lacks costs per request: (c) less that part,
// loaded round-robin beside (b) and (c) by the figure's own generator (pinned as its HAProxies are), HAProxy's worker
// CPU per 1,000 requests for each (`--profile`).
import { startScaledeckWithoutPart, haproxyCpuMs, type BenchHaproxy } from './haproxy-beside.js';
import type { ThroughputReport } from './throughput-load.js';
import { row, type FigureRow } from './summary.js';

/** Loads `url` for `durationS` as the figure loads its paths. */
export type Load = (url: string, durationS: number) => Promise<ThroughputReport>;

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

async function cpuPer1000(haproxy: Pick<BenchHaproxy, 'frontend' | 'pidfile'>, durationS: number, load: Load): Promise<number> {
  const before = haproxyCpuMs(haproxy.pidfile);
  const report = await load(haproxy.frontend, durationS);
  return ((haproxyCpuMs(haproxy.pidfile) - before) / Math.max(1, report.requests)) * 1000;
}

/** Rows of CPU per 1,000 requests for (b), (c) and (c) less each part, measured in the same rounds. */
export async function configPartCosts(options: {
  replicaPort: number; floor: BenchHaproxy; full: BenchHaproxy; rounds: number; durationS: number; load: Load; figure: string;
  /** Pins a started HAProxy where the figure's others run. */
  pin: (pidfile: string) => Promise<void>;
}): Promise<FigureRow[]> {
  const started: BenchHaproxy[] = [];
  try {
    for (const part of CONFIG_PARTS) {
      const haproxy = await startScaledeckWithoutPart(options.replicaPort, part);
      started.push(haproxy);
      await options.pin(haproxy.pidfile);
    }
    const loaded: Loaded[] = [
      { subject: '(b) bare HAProxy, minimal config', haproxy: options.floor, cpuMsPer1000: [] },
      { subject: '(c) ScaleDeck\'s HAProxy config, latency off', haproxy: options.full, cpuMsPer1000: [] },
      ...CONFIG_PARTS.map((part, i) => ({ subject: `(c) without ${part.name}`, haproxy: started[i] as BenchHaproxy, cpuMsPer1000: [] })),
    ];
    for (const path of loaded) await cpuPer1000(path.haproxy, 1, options.load);
    for (let round = 0; round < options.rounds; round++) {
      for (const path of loaded) path.cpuMsPer1000.push(await cpuPer1000(path.haproxy, options.durationS, options.load));
    }
    return loaded.map((path) => row({ figure: options.figure, subject: path.subject, measure: 'HAProxy worker CPU per 1,000 requests (config parts)', unit: 'ms', values: path.cpuMsPer1000 }));
  } finally {
    for (const haproxy of started) await haproxy.stop();
  }
}
