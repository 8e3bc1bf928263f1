// How much of HAProxy's request log ScaleDeck asks for as the rate changes, and when a p95 rests on too few requests
// to act on. Pure: the request log listener and the composition root apply what these decide.
import { LOG_SAMPLE_SCALE } from '../../../haproxy/request-log.js';
import type { LatencyPercentiles } from './latency-window.js';

/** Log lines per second aimed at past this rate: enough for a p95 within a few %, a small fraction of a core. */
export const LOG_LINES_PER_S = 200;
/** Fewer requests than this make a p95 that is only the slowest of a handful: shown, never acted on. */
export const MIN_LATENCY_SAMPLE = 20;
/** A new ratio is sent only when it differs from the one in force by more than this factor (one command, not one a tick). */
const RETUNE_FACTOR = 1.25;

/**
 * Requests kept in LOG_SAMPLE_SCALE at `rps` requests/s: every one up to LOG_LINES_PER_S, then about LOG_LINES_PER_S
 * a second. `current` (null when unknown) is kept while it is close enough; an unknown rate keeps it too, and so does
 * no traffic at all: there is nothing to measure then, and a burst after a pause meets the ratio of the last one
 * instead of a full log for the second it takes to narrow it again.
 */
export function keptPerScale(rps: number | null, current: number | null): number {
  if (rps === null || !Number.isFinite(rps) || rps < 0) return current ?? LOG_SAMPLE_SCALE;
  if (rps === 0 && current !== null) return current;
  const wanted = rps <= LOG_LINES_PER_S ? LOG_SAMPLE_SCALE : Math.max(1, Math.round((LOG_SAMPLE_SCALE * LOG_LINES_PER_S) / rps));
  if (current === null) return wanted;
  if (wanted === LOG_SAMPLE_SCALE) return wanted;
  return wanted * RETUNE_FACTOR < current || wanted > current * RETUNE_FACTOR ? wanted : current;
}

export interface LatencyReading {
  p50Ms: number | null;
  /** Null when no request was logged, or when too few were (then `shortfall` says so). */
  p95Ms: number | null;
  /** Requests the percentiles were computed from (the logged sample, not every request). */
  sampleSize: number;
  /** Why a p95 was measured but is not given: the sample was too small. */
  shortfall: string | null;
}

/** The interval's percentiles as the sample reports them: a p95 from fewer than MIN_LATENCY_SAMPLE requests is withheld. */
export function latencyReadingOf(percentiles: LatencyPercentiles): LatencyReading {
  const sampleSize = percentiles.count;
  if (sampleSize > 0 && sampleSize < MIN_LATENCY_SAMPLE) {
    return {
      p50Ms: percentiles.p50Ms,
      p95Ms: null,
      sampleSize,
      shortfall: `p95 from ${sampleSize} request${sampleSize === 1 ? '' : 's'}, fewer than the ${MIN_LATENCY_SAMPLE} it needs: not acted on`,
    };
  }
  return { p50Ms: percentiles.p50Ms, p95Ms: percentiles.p95Ms, sampleSize, shortfall: null };
}
