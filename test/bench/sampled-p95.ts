// The p95 ScaleDeck's sampled request log gives against the p95 of every request, from the same requests: lines
// from startScaledeckTaggingSample (haproxy-beside.ts) grouped per second as the sampler's intervals are.
import { createSocket, type Socket } from 'node:dgram';
import { parseRequestLogLine } from '../../haproxy/request-log.js';
import { percentile } from '../../electron/core/metrics/latency-window.js';

export interface SampledVersusFull {
  /** Seconds with a p95 from both. */
  seconds: number;
  /** The largest per-second gap |sampled p95 - full p95|, ms. */
  worstGapMs: number;
  /** Seconds whose sampled p95 is within 10 % or 5 ms of the full log's. */
  secondsWithin: number;
  /** Over the whole run. */
  fullP95Ms: number | null;
  sampledP95Ms: number | null;
  /** Lines per second: all of them, and those the sample kept. */
  linesPerS: number;
  sampledPerS: number;
}

export class TaggedLogListener {
  private readonly lines: Array<{ second: number; activeMs: number; sampled: boolean }> = [];
  private socket: Socket | null = null;

  async start(): Promise<number> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    socket.on('message', (message) => {
      const text = message.toString('utf8');
      const timing = parseRequestLogLine(text);
      if (timing === null) return;
      this.lines.push({ second: Math.floor(Date.now() / 1000), activeMs: timing.activeMs, sampled: text.trim().endsWith(' -') });
    });
    this.socket = socket;
    return socket.address().port;
  }

  /** Forgets what came before, e.g. the warm-up. */
  clear(): void {
    this.lines.length = 0;
  }

  compare(): SampledVersusFull {
    const bySecond = new Map<number, Array<{ activeMs: number; sampled: boolean }>>();
    for (const line of this.lines) bySecond.set(line.second, [...(bySecond.get(line.second) ?? []), line]);
    // The first and last seconds are partial; they would compare a handful of requests.
    const whole = [...bySecond.keys()].sort((a, b) => a - b).slice(1, -1);
    const p95 = (values: number[]) => percentile([...values].sort((a, b) => a - b), 95);
    let [worstGapMs, secondsWithin, seconds] = [0, 0, 0];
    for (const second of whole) {
      const lines = bySecond.get(second) ?? [];
      const full = p95(lines.map((l) => l.activeMs));
      const sampled = p95(lines.filter((l) => l.sampled).map((l) => l.activeMs));
      if (full === null || sampled === null) continue;
      seconds += 1;
      const gap = Math.abs(sampled - full);
      worstGapMs = Math.max(worstGapMs, gap);
      if (gap <= 5 || gap <= 0.1 * full) secondsWithin += 1;
    }
    const durationS = Math.max(1, whole.length);
    const inWhole = this.lines.filter((l) => whole.includes(l.second));
    return {
      seconds,
      worstGapMs,
      secondsWithin,
      fullP95Ms: p95(inWhole.map((l) => l.activeMs)),
      sampledP95Ms: p95(inWhole.filter((l) => l.sampled).map((l) => l.activeMs)),
      linesPerS: inWhole.length / durationS,
      sampledPerS: inWhole.filter((l) => l.sampled).length / durationS,
    };
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
