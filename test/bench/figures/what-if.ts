// Figure 7: what-if replay speed (1 h and 24 h of 1 s samples) and the history's size on disk per day, read time.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Sample } from '../../../electron/contract/contract.js';
import { HistoryStore } from '../../../electron/core/history/history-store.js';
import { rollUp } from '../../../electron/core/history/minute-rollup.js';
import { listSegments } from '../../../electron/core/history/segment-files.js';
import { decide, initialPolicyState } from '../../../electron/core/policy.js';
import { replay } from '../../../electron/core/policy/replay.js';
import { applySettingsPatch, defaultSettings } from '../../../electron/contract/settings-schema.js';
import { runsFor, type BenchContext } from '../bench-context.js';
import { row, type FigureResult } from '../summary.js';

const FIGURE = '7 what-if and history';
const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;
const GOAL_1H_MS = 50;
const GOAL_24H_MS = 1000;
const START = Date.UTC(2026, 0, 5);

/** A deterministic pseudo-random source, so every run replays the same day. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A recorded day: load in replica-CPU percent that follows a daily curve with bursts and noise, over a fleet driven
 * by the default policy whose replicas serve 2 s after each decision.
 */
export function recordedDay(seconds: number): Sample[] {
  const random = mulberry32(7);
  const settings = defaultSettings;
  const samples: Sample[] = [];
  const readyAt: number[] = [START - 60_000, START - 60_000];
  let desired = 2;
  let state = initialPolicyState();
  let burstUntil = 0;
  for (let s = 0; s < seconds; s++) {
    const at = START + s * 1000;
    if (s >= burstUntil && random() < 1 / 900) burstUntil = s + 60 + Math.floor(random() * 240);
    const total = 120 + 100 * Math.sin((2 * Math.PI * s) / DAY_S) ** 2 + (s < burstUntil ? 300 : 0) + 20 * random();
    const ready = readyAt.filter((t) => t <= at).length;
    const counted = readyAt.filter((t) => t - 2000 + settings.warmupS * 1000 <= at && t <= at).length;
    const replicaCpu = counted === 0 ? null : total / counted;
    const rps = total * 3;
    samples.push({ at, hostCpu: 5 + total / 10, replicaCpu, rps, rpsPerReplica: ready ? rps / ready : null, sessions: 2, queue: 0, http5xx: 0, responseTimeMs: 4, latencyP50Ms: 3, latencyP95Ms: 4, replicaMemory: 20, desired, ready, total: readyAt.length });
    const decision = decide({
      observation: { hostCpu: 5 + total / 10, rps, replicas: readyAt.map((t) => ({ state: t <= at ? 'ready' as const : 'starting' as const, startedAt: t - 2000, cpuPercent: replicaCpu })) },
      current: desired, settings, now: at, state,
    });
    state = decision.state;
    if (decision.desired !== desired) {
      while (readyAt.length < decision.desired) readyAt.push(at + 2000);
      readyAt.length = decision.desired;
      desired = decision.desired;
    }
  }
  return samples;
}

function timeReplays(samples: Sample[], runs: number): number[] {
  const settings = applySettingsPatch(defaultSettings, { scaleUpThreshold: 55, scaleDownThreshold: 20 });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    replay({ samples, live: defaultSettings, settings });
    times.push(performance.now() - started);
  }
  return times;
}

async function measureStore(day: Sample[], runs: number): Promise<{ rawMbPerDay: number; minuteMbPerDay: number; readMs: number[]; historyMs: number[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sdb-history-'));
  try {
    const store = new HistoryStore({ dir, clock: { now: () => START + DAY_S * 1000, after: () => () => undefined }, flushMs: 0 });
    await store.open();
    for (const sample of day) store.appendSample(sample);
    await store.flush();
    const bytes = (await listSegments(dir)).reduce((sum, s) => sum + s.bytes, 0);
    const minuteBytes = rollUp(day).reduce((sum, r) => sum + JSON.stringify(r).length + 1, 0);
    const readMs: number[] = [];
    const historyMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      let started = performance.now();
      await store.samples(START, START + DAY_S * 1000);
      readMs.push(performance.now() - started);
      started = performance.now();
      await store.history(START, START + DAY_S * 1000);
      historyMs.push(performance.now() - started);
    }
    await store.close();
    const scale = DAY_S / day.length / 1_048_576;
    return { rawMbPerDay: bytes * scale, minuteMbPerDay: minuteBytes * scale, readMs, historyMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function whatIfFigure(context: BenchContext): Promise<FigureResult> {
  const startedAt = Date.now();
  const day = recordedDay(DAY_S);
  const hour = day.slice(0, HOUR_S);
  // A first pass lets the JIT compile decide() before anything is timed.
  timeReplays(hour, 3);
  const oneHour = row({ figure: FIGURE, subject: 'replay', measure: '1 h of 1 s samples (3600)', unit: 'ms', values: timeReplays(hour, runsFor(context, 30, 5)) });
  oneHour.goal = { text: `p95 <= ${GOAL_1H_MS} ms`, met: (oneHour.spread?.p95 ?? Infinity) <= GOAL_1H_MS };
  const fullDay = row({ figure: FIGURE, subject: 'replay', measure: '24 h of 1 s samples (86400)', unit: 'ms', values: timeReplays(day, runsFor(context, 7, 2)) });
  fullDay.goal = { text: `p95 <= ${GOAL_24H_MS} ms`, met: (fullDay.spread?.p95 ?? Infinity) <= GOAL_24H_MS };
  context.log('what-if: writing a day of samples to a scratch history folder');
  const store = await measureStore(day, runsFor(context, 3, 1));
  const rows = [
    oneHour,
    fullDay,
    row({ figure: FIGURE, subject: 'history', measure: 'disk per day at 1 s (raw NDJSON)', unit: 'MB', values: [store.rawMbPerDay] }),
    row({ figure: FIGURE, subject: 'history', measure: 'disk per day after rollup (1 min min/max/mean)', unit: 'MB', values: [store.minuteMbPerDay] }),
    row({ figure: FIGURE, subject: 'history', measure: 'read 24 h for a replay (86400 samples)', unit: 'ms', values: store.readMs }),
    row({ figure: FIGURE, subject: 'history', measure: 'read 24 h for a chart (<= 2000 points)', unit: 'ms', values: store.historyMs }),
  ];
  const week = store.rawMbPerDay + 6 * store.minuteMbPerDay;
  return {
    id: 'what-if',
    title: 'What-if replay and history on disk',
    rows,
    findings: [
      `a full week of history at 1 s takes about ${week.toFixed(1)} MB (a day raw + 6 days of minute rollups); the hard bound is 128 MiB`,
      'the replay is the real decide() per sample; reading 24 h of raw NDJSON from disk costs more than replaying it',
    ],
    durationS: (Date.now() - startedAt) / 1000,
  };
}
