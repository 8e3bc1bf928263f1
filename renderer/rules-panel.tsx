// The rules beyond the first: a metric and a pair of threshold sliders each, added and removed by a person; the
// whole list is written debounced as `rules`, and a rejected value shows beside its field and snaps back.
import { memo, useEffect, useId, useRef, useState } from 'react';
import type { Settings } from '../electron/contract/contract.js';
import { MAX_RULES, type ScalingRule } from '../electron/contract/settings-schema.js';
import { useBridge } from './bridge-context.js';
import { METRIC_LABELS, SETTINGS_DEBOUNCE_MS } from './settings-panel.js';
import { thresholdScale } from './threshold-scale.js';
import { ThresholdSlider } from './threshold-slider.js';
import type { WhatIfFeed } from './what-if-feed.js';

/** What a new rule starts as: the first metric no rule uses yet, with thresholds that suit its unit. */
const NEW_RULES: ScalingRule[] = [
  { metric: 'latency-p95', scaleUpThreshold: 200, scaleDownThreshold: 50, targetValue: 150 },
  { metric: 'replica-memory', scaleUpThreshold: 80, scaleDownThreshold: 30, targetValue: 60 },
  { metric: 'rps-per-replica', scaleUpThreshold: 100, scaleDownThreshold: 20, targetValue: 50 },
  { metric: 'replica-cpu', scaleUpThreshold: 70, scaleDownThreshold: 30, targetValue: 50 },
  { metric: 'host-cpu', scaleUpThreshold: 70, scaleDownThreshold: 30, targetValue: 50 },
];

export function newRule(rules: readonly ScalingRule[]): ScalingRule {
  const used = new Set(rules.map((rule) => rule.metric));
  return { ...(NEW_RULES.find((rule) => !used.has(rule.metric)) ?? (NEW_RULES[0] as ScalingRule)) };
}

/** A rule after one slider moved, its down-threshold kept below its up-threshold. */
export function withThreshold(rule: ScalingRule, field: 'scaleUpThreshold' | 'scaleDownThreshold', value: number): ScalingRule {
  return field === 'scaleDownThreshold'
    ? { ...rule, scaleDownThreshold: Math.max(0, Math.min(value, rule.scaleUpThreshold - 1)) }
    : { ...rule, scaleUpThreshold: Math.max(value, rule.scaleDownThreshold + 1) };
}

/** The defaults of a metric when a rule switches to it, so a CPU rule never inherits a threshold in ms. */
function switchMetric(metric: ScalingRule['metric']): ScalingRule {
  return { ...(NEW_RULES.find((rule) => rule.metric === metric) as ScalingRule) };
}

export interface RulesPanelProps {
  settings: Settings;
  onSettings: (settings: Settings) => void;
  /** Replays each dragged threshold over the charts' window, for the replica chart's ghost line. */
  whatIf?: WhatIfFeed;
}

export const RulesPanel = memo(function RulesPanel({ settings, onSettings, whatIf }: RulesPanelProps) {
  const api = useBridge();
  const id = useId();
  const [draft, setDraft] = useState<ScalingRule[] | null>(null);
  const [error, setError] = useState<{ field: string; message: string } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const mounted = useRef(true);
  const rules = draft ?? settings.rules;

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  const send = (next: ScalingRule[]) => {
    queue.current = queue.current.then(async () => {
      const answer = await api.updateSettings({ rules: next });
      if (!mounted.current) return;
      // A draft moved on since this write stays; one equal to what was sent is settled either way.
      setDraft((current) => (current === next ? null : current));
      if ('result' in answer) {
        onSettings(answer.result);
        setError(null);
      } else {
        setError({ field: answer.field ?? 'rules', message: answer.error });
      }
    });
  };

  /** Sliders write after the debounce; adding, removing and switching metric write at once. */
  const change = (next: ScalingRule[], debounced: boolean) => {
    setDraft(next);
    setError(null);
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (!debounced) return send(next);
    whatIf?.propose({ rules: next }, settings);
    timer.current = setTimeout(() => {
      timer.current = null;
      send(next);
    }, SETTINGS_DEBOUNCE_MS);
  };

  const replace = (index: number, rule: ScalingRule, debounced: boolean) =>
    change(rules.map((current, i) => (i === index ? rule : current)), debounced);

  const errorFor = (index: number, field: string) => {
    if (!error) return undefined;
    if (error.field === `rules.${index}.${field}` || (field === 'metric' && error.field === `rules.${index}`)) return error.message;
    return undefined;
  };

  return (
    <section className="card rules-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>More rules</h2>
      <p className="note">Scales up when any rule is above its threshold, down only when every rule is below its own.</p>
      {rules.slice(1).map((rule, offset) => {
        const index = offset + 1;
        const number = index + 1;
        const scale = thresholdScale(rule.metric, rule.scaleUpThreshold);
        return (
          <fieldset key={index} className="rule">
            <legend>Rule {number}</legend>
            <div className="field">
              <label htmlFor={`${id}-metric-${index}`}>Rule {number} scales on</label>
              <select
                id={`${id}-metric-${index}`}
                value={rule.metric}
                aria-invalid={errorFor(index, 'metric') ? true : undefined}
                onChange={(event) => replace(index, switchMetric(event.currentTarget.value as ScalingRule['metric']), false)}
              >
                {Object.entries(METRIC_LABELS).map(([metric, label]) => (
                  <option key={metric} value={metric}>
                    {label}
                  </option>
                ))}
              </select>
              {errorFor(index, 'metric') && (
                <p className="field-error" role="alert">
                  {errorFor(index, 'metric')}
                </p>
              )}
            </div>
            <ThresholdSlider
              label={`Rule ${number}: scale up above`}
              value={rule.scaleUpThreshold}
              min={0}
              max={scale.max}
              step={1}
              format={scale.format}
              pending={draft !== null}
              error={errorFor(index, 'scaleUpThreshold')}
              tone="up"
              onChange={(value) => replace(index, withThreshold(rule, 'scaleUpThreshold', value), true)}
              onHold={whatIf && ((held) => whatIf.hold(held))}
            />
            <ThresholdSlider
              label={`Rule ${number}: scale down below`}
              value={rule.scaleDownThreshold}
              min={0}
              max={scale.max}
              step={1}
              format={scale.format}
              pending={draft !== null}
              error={errorFor(index, 'scaleDownThreshold')}
              tone="down"
              onChange={(value) => replace(index, withThreshold(rule, 'scaleDownThreshold', value), true)}
              onHold={whatIf && ((held) => whatIf.hold(held))}
            />
            <button type="button" onClick={() => change(rules.filter((_, i) => i !== index), false)}>
              Remove rule {number}
            </button>
          </fieldset>
        );
      })}
      <button type="button" disabled={rules.length >= MAX_RULES} onClick={() => change([...rules, newRule(rules)], false)}>
        Add rule
      </button>
      {rules.length >= MAX_RULES && <p className="note">{MAX_RULES} rules is the most ScaleDeck takes.</p>}
      {error && !error.field.startsWith('rules.') && (
        <p className="field-error" role="alert">
          {error.message}
        </p>
      )}
    </section>
  );
});
