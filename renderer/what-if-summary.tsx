// The ghost line's numbers in one sentence: cost, risk and churn of the replayed window against what really ran.
import { memo } from 'react';
import type { WhatIfSummary } from '../electron/contract/contract.js';
import type { WhatIfFeed, WhatIfView } from './what-if-feed.js';
import { useStoreValue } from './value-store.js';

/** "5 min", "1 hour", "24 h", "7 days": the window as the sentence names it. */
export function windowName(spanMs: number): string {
  const minutes = Math.round(spanMs / 60_000);
  if (minutes < 60) return `${Math.max(1, minutes)} min`;
  const hours = Math.round(minutes / 60);
  if (hours === 1) return 'hour';
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

/** "40 s", "2 min", "3.5 h". */
export function spanText(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}

function costText(replayed: WhatIfSummary, actual: WhatIfSummary): string {
  if (actual.replicaSeconds <= 0) return `${Math.round(replayed.replicaSeconds / 60)} replica-minutes`;
  const change = Math.round(((replayed.replicaSeconds - actual.replicaSeconds) / actual.replicaSeconds) * 100);
  // A real minus sign: a hyphen reads as a dash to a screen reader.
  return `${change > 0 ? '+' : change < 0 ? '\u2212' : '\u00b1'}${Math.abs(change)} % replica-minutes`;
}

/** "last hour with these settings: −18 % replica-minutes, 2 min above 70 % instead of 3 min, 6 scale events instead of 4, peak 5". */
export function describeWhatIf(view: WhatIfView): string {
  const { summary, actual } = view.result;
  const events = (n: number) => `${n} scale event${n === 1 ? '' : 's'}`;
  const above = `${spanText(summary.secondsAboveUp)} above ${view.upThreshold}${view.unit}`;
  const aboveActual = Math.round(summary.secondsAboveUp) === Math.round(actual.secondsAboveUp) ? '' : ` instead of ${spanText(actual.secondsAboveUp)}`;
  const churn = summary.scaleEvents === actual.scaleEvents ? `${events(summary.scaleEvents)} as ran` : `${events(summary.scaleEvents)} instead of ${actual.scaleEvents}`;
  return `last ${windowName(view.toMs - view.fromMs)} with these settings: ${costText(summary, actual)}, ${above}${aboveActual}, ${churn}, peak ${summary.peakReplicas}`;
}

/**
 * Shown only while there is a ghost, over the top of the plot, with the ghost's key (a dotted swatch): a legend entry
 * that came and went would reflow the chart's header and make recharts lay the chart out again.
 */
export const WhatIfSummaryLine = memo(function WhatIfSummaryLine({ whatIf }: { whatIf: WhatIfFeed }) {
  const view = useStoreValue(whatIf.shown);
  const error = useStoreValue(whatIf.error);
  if (!view && !error) return null;
  return (
    <p className="whatif-summary" data-testid="whatif-summary" role="status" title={view?.result.model}>
      <span className="swatch series-ghost dotted" aria-hidden="true" />
      {error ? `What-if replay failed: ${error}` : describeWhatIf(view as WhatIfView)}
    </p>
  );
});
