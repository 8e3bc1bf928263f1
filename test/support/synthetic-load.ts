// Synthetic weeks of load at one value per minute, for forecast tests and the forecast benchmark: a daily shape, a
// weekly shape (quiet weekends), and seeded noise, so a run can be replayed from its seed.
import type { Sample } from '../../electron/contract/contract.js';
import { MinuteSeries } from '../../electron/core/forecast/minute-series.js';

export const DAY_MINUTES = 1440;

/** mulberry32: a small seeded source of uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bump = (minuteOfDay: number, centre: number, width: number): number => Math.exp(-(((minuteOfDay - centre) / width) ** 2));

/** Requests/s at a minute (of the day, or since the start): a night floor, a peak at 09:30 and another at 15:00. */
export function dailyShape(minute: number): number {
  const minuteOfDay = ((minute % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  return 20 + 160 * bump(minuteOfDay, 570, 60) + 100 * bump(minuteOfDay, 900, 90);
}

/** The daily shape on weekdays; a third of it, with its peaks two hours later, on days 5 and 6 of the week. */
export function weeklyShape(minute: number): number {
  const day = Math.floor(minute / DAY_MINUTES) % 7;
  const minuteOfDay = minute % DAY_MINUTES;
  return day >= 5 ? 0.35 * dailyShape(minuteOfDay - 120) : dailyShape(minuteOfDay);
}

/** `days` of `shape`, each minute times (1 + noise x a uniform draw in [-1, 1]). */
export function syntheticWeek(shape: (minute: number) => number, options: { days: number; noise: number; seed: number; firstMinute?: number }): MinuteSeries {
  const random = seededRandom(options.seed);
  const values = new Float64Array(options.days * DAY_MINUTES);
  for (let m = 0; m < values.length; m++) values[m] = shape(m) * (1 + options.noise * (2 * random() - 1));
  return new MinuteSeries(options.firstMinute ?? 0, values);
}

/** A recorded sample of `rps` requests/s served by `replicas` ready replicas, the other figures quiet. */
export function recordedSample(at: number, rps: number, replicas: number): Sample {
  return {
    at, hostCpu: 5, replicaCpu: 10, rps, rpsPerReplica: replicas > 0 ? rps / replicas : null, sessions: 0, queue: 0, http5xx: 0, responseTimeMs: 2,
    latencyP50Ms: 2, latencyP95Ms: 4, replicaMemory: 20, desired: replicas, ready: replicas, total: replicas,
  };
}

/**
 * A week as the history keeps it, ending at `endMs`: one sample a minute before its last day, one every `lastDayStepMs`
 * in it (the store rolls the older ones up to minutes), of `rpsAt(at)` requests/s on a fixed count of replicas.
 */
export function recordedWeek(options: { endMs: number; days: number; lastDayStepMs: number; rpsAt: (at: number) => number; replicas: number }): Sample[] {
  const day = DAY_MINUTES * 60_000;
  const samples: Sample[] = [];
  const fineFrom = options.endMs - day;
  for (let at = options.endMs - options.days * day; at < fineFrom; at += 60_000) samples.push(recordedSample(at, options.rpsAt(at), options.replicas));
  for (let at = fineFrom; at < options.endMs; at += options.lastDayStepMs) samples.push(recordedSample(at, options.rpsAt(at), options.replicas));
  return samples;
}
