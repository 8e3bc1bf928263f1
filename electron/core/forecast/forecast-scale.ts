// The `scale` mode's decision, pure: the count the rules would want for the load forecast within the lead time, as a
// floor under the reactive policy. It raises the count ahead of the load and never lowers it (reactive rules do that).
import type { ScalingRule, Settings } from '../../contract/settings-schema.js';
import { formatNumber } from '../policy/metric.js';
import { clampReplicas } from '../policy/state.js';
import { loadKindOf, MINUTE_MS, minuteOf, type LoadKind } from './minute-series.js';

/** Forecast total work per load kind, one value per minute from `firstMinute` (epoch minutes) on. */
export interface ForecastCurves {
  firstMinute: number;
  byKind: Partial<Record<LoadKind, readonly number[]>>;
}

export interface ForecastFloor {
  /** The count the forecast load within the lead time wants, inside [minReplicas, maxReplicas]. */
  desired: number;
  /** Why, without the "a -> b: " prefix: "forecast 180 req/s at 09:05 (rps-per-replica 60), 5 min ahead". */
  why: string;
}

/** Absorbs float error so that 120 req/s at 60 per replica stays 2 replicas, not 3. */
const EPSILON = 1e-9;

/**
 * What one replica should carry of a rule's metric: its target (target policy), or its up-threshold (threshold policy):
 * the smallest count at which the rule, once the load has arrived, stops scaling out.
 */
export function perReplicaLoad(rule: ScalingRule, policy: Settings['policy']): number {
  return policy === 'target' ? rule.targetValue : rule.scaleUpThreshold;
}

interface Need {
  count: number;
  total: number;
  minute: number;
  rule: ScalingRule;
  perReplica: number;
}

/** The largest count any rule wants for the forecast minutes [fromMinute, toMinute], before the range. */
function largestNeed(curves: ForecastCurves, settings: Settings, fromMinute: number, toMinute: number): Need | null {
  let best: Need | null = null;
  for (const rule of settings.rules) {
    const kind = loadKindOf(rule.metric);
    const values = kind === null ? undefined : curves.byKind[kind];
    const perReplica = perReplicaLoad(rule, settings.policy);
    if (!values || perReplica <= 0) continue;
    for (let minute = Math.max(fromMinute, curves.firstMinute); minute <= toMinute; minute++) {
      const total = values[minute - curves.firstMinute];
      if (total === undefined) break;
      const count = Math.ceil(total / perReplica - EPSILON);
      if (!best || count > best.count) best = { count, total, minute, rule, perReplica };
    }
  }
  return best;
}

const clock = (at: number): string => {
  const date = new Date(at);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
};

function describeNeed(need: Need, now: number): string {
  const at = need.minute * MINUTE_MS;
  const ahead = Math.max(0, Math.round((at - now) / MINUTE_MS));
  const load = need.rule.metric === 'rps-per-replica' ? `${formatNumber(need.total)} req/s` : `${formatNumber(need.total)}% replica CPU in all`;
  const unit = need.rule.metric === 'rps-per-replica' ? '' : '%';
  return `forecast ${load} at ${clock(at)} (${need.rule.metric} ${formatNumber(need.perReplica)}${unit}), ${ahead} min ahead`;
}

/** The floor the forecast puts under the count at `now`, or null when it asks for nothing (or cannot). */
export function forecastFloor(curves: ForecastCurves, settings: Settings, now: number): ForecastFloor | null {
  const need = largestNeed(curves, settings, minuteOf(now), minuteOf(now + settings.forecastLeadS * 1000));
  if (!need) return null;
  return { desired: clampReplicas(need.count, settings), why: describeNeed(need, now) };
}

/** For the replica chart: the count the rules would want at each forecast minute, inside the range. */
export function forecastReplicas(curves: ForecastCurves, settings: Settings): { at: number; desired: number }[] {
  const length = Math.max(0, ...Object.values(curves.byKind).map((values) => values.length));
  const out: { at: number; desired: number }[] = [];
  for (let h = 0; h < length; h++) {
    const minute = curves.firstMinute + h;
    const need = largestNeed(curves, settings, minute, minute);
    if (need) out.push({ at: minute * MINUTE_MS, desired: clampReplicas(need.count, settings) });
  }
  return out;
}

/**
 * The forecast's part in one decision: a scale-out to the floor when the count is below it (its reason names the
 * forecast), or the settings the reactive policy decides under, with the floor as its minimum so that it does not
 * scale in what the forecast load will need within the lead time.
 */
export function forecastStep(floor: ForecastFloor | null, settings: Settings, current: number): { scaleTo: number; reason: string } | { settings: Settings } {
  if (!floor || settings.forecast !== 'scale' || settings.mode !== 'auto') return { settings };
  // A paused scale-out holds the forecast's too: the floor then only reaches the policy, as its minimum, and the policy
  // says what it would do ("would scale out ...: paused").
  if (floor.desired > current && !settings.pauseScaleOut) return { scaleTo: floor.desired, reason: `${current} -> ${floor.desired}: ${floor.why}` };
  return { settings: floor.desired > settings.minReplicas ? { ...settings, minReplicas: floor.desired } : settings };
}
