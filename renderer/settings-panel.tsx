// The scaling rules: sliders that never cross, written to the control plane debounced; a rejected value snaps back.
import { memo, useEffect, useId, useRef, useState } from 'react';
import { firstRule, type ScalingRule, type Settings, type SettingsPatch } from '../electron/contract/contract.js';
import { useBridge } from './bridge-context.js';
import { thresholdScale } from './threshold-scale.js';
import { ThresholdSlider } from './threshold-slider.js';
import type { ThresholdPreview } from './threshold-preview.js';
import type { ValueStore } from './value-store.js';
import type { WhatIfFeed } from './what-if-feed.js';

/** Long enough that dragging sends one write, short enough that the chart confirms the change at once. */
export const SETTINGS_DEBOUNCE_MS = 250;

export type SliderField =
  | 'scaleUpThreshold'
  | 'scaleDownThreshold'
  | 'breachSamples'
  | 'minReplicas'
  | 'maxReplicas'
  | 'scaleUpCooldownS'
  | 'scaleDownCooldownS';
type Drafts = Partial<Record<SliderField, number>>;

interface SliderSpec {
  field: SliderField;
  label: string;
  min: number;
  max: number;
  format: (value: number) => string;
}

export const METRIC_LABELS: Record<ScalingRule['metric'], string> = {
  'replica-cpu': 'Replica CPU (mean, % of limit)',
  'host-cpu': 'Host CPU (%)',
  'rps-per-replica': 'Requests/s per replica',
  'replica-memory': 'Replica memory (mean, % of limit)',
  'latency-p95': 'p95 latency (ms)',
};

function sliderSpecs(settings: Settings): SliderSpec[] {
  const { max: thresholdMax, format: threshold } = thresholdScale(firstRule(settings).metric, firstRule(settings).scaleUpThreshold);
  const replicaMax = Math.max(50, settings.maxReplicas);
  const seconds = (value: number) => `${value} s`;
  const replicas = (value: number) => String(value);
  return [
    { field: 'scaleUpThreshold', label: 'Scale up above', min: 0, max: thresholdMax, format: threshold },
    { field: 'scaleDownThreshold', label: 'Scale down below', min: 0, max: thresholdMax, format: threshold },
    { field: 'breachSamples', label: 'Samples beyond a threshold', min: 1, max: Math.max(20, settings.breachSamples), format: replicas },
    { field: 'minReplicas', label: 'Minimum replicas', min: 0, max: replicaMax, format: replicas },
    { field: 'maxReplicas', label: 'Maximum replicas', min: 1, max: replicaMax, format: replicas },
    { field: 'scaleUpCooldownS', label: 'Scale-up cooldown', min: 0, max: Math.max(600, settings.scaleUpCooldownS), format: seconds },
    { field: 'scaleDownCooldownS', label: 'Scale-down cooldown', min: 0, max: Math.max(600, settings.scaleDownCooldownS), format: seconds },
  ];
}

/** Keeps paired sliders from crossing: down stays below up, min stays at or below max. */
export function keepApart(field: SliderField, value: number, current: (field: SliderField) => number): number {
  switch (field) {
    case 'scaleDownThreshold':
      return Math.max(0, Math.min(value, current('scaleUpThreshold') - 1));
    case 'scaleUpThreshold':
      return Math.max(value, current('scaleDownThreshold') + 1);
    case 'minReplicas':
      return Math.min(value, current('maxReplicas'));
    case 'maxReplicas':
      return Math.max(value, current('minReplicas'));
    default:
      return value;
  }
}

export interface SettingsPanelProps {
  settings: Settings;
  /** Receives the dragged thresholds so the charts can move their lines before the write lands. */
  preview: ValueStore<ThresholdPreview>;
  onSettings: (settings: Settings) => void;
  /** Replays each dragged value over the charts' window, for the replica chart's ghost line. */
  whatIf?: WhatIfFeed;
}

export const SettingsPanel = memo(function SettingsPanel({ settings, preview, onSettings, whatIf }: SettingsPanelProps) {
  const api = useBridge();
  const metricId = useId();
  const [drafts, setDrafts] = useState<Drafts>({});
  const [error, setError] = useState<{ field: string; message: string } | null>(null);
  const pending = useRef<Drafts>({});
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Writes go one after another, so a slow answer never lands after a newer one.
  const queue = useRef<Promise<void>>(Promise.resolve());
  const mounted = useRef(true);

  // The first rule's fields are shown flat, as the sliders send them.
  const valueOf = (field: SliderField): number => drafts[field] ?? { ...settings, ...firstRule(settings) }[field];

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  const { scaleUpThreshold: upDraft, scaleDownThreshold: downDraft } = drafts;
  useEffect(() => {
    preview.set({ scaleUpThreshold: upDraft, scaleDownThreshold: downDraft });
  }, [preview, upDraft, downDraft]);

  const send = (patch: SettingsPatch) => {
    queue.current = queue.current.then(async () => {
      const answer = await api.updateSettings(patch);
      if (!mounted.current) return;
      // A draft the person has already moved past stays; one equal to what was sent is settled either way.
      setDrafts((current) => {
        const next = { ...current };
        for (const [field, value] of Object.entries(patch)) {
          if (next[field as SliderField] === value) delete next[field as SliderField];
        }
        return next;
      });
      if ('result' in answer) {
        onSettings(answer.result);
        setError((current) => (current && current.field in patch ? null : current));
      } else {
        const fields = Object.keys(patch);
        const field = answer.field && fields.includes(answer.field) ? answer.field : (fields[0] ?? 'settings');
        setError({ field, message: answer.error });
      }
    });
  };

  const change = (field: SliderField, raw: number) => {
    const value = keepApart(field, raw, valueOf);
    if (value === valueOf(field)) return;
    pending.current = { ...pending.current, [field]: value };
    setDrafts((current) => ({ ...current, [field]: value }));
    whatIf?.propose({ ...drafts, [field]: value }, settings);
    setError((current) => (current?.field === field ? null : current));
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      const patch = pending.current;
      pending.current = {};
      send(patch);
    }, SETTINGS_DEBOUNCE_MS);
  };

  const errorFor = (field: string) => (error?.field === field ? error.message : undefined);

  return (
    <section className="card settings-panel" aria-labelledby={`${metricId}-title`}>
      <h2 id={`${metricId}-title`}>Scaling rules</h2>
      <div className="field">
        <label htmlFor={metricId}>Scale on</label>
        <select
          id={metricId}
          value={firstRule(settings).metric}
          aria-invalid={errorFor('metric') ? true : undefined}
          onChange={(event) => {
            setError(null);
            send({ metric: event.currentTarget.value as ScalingRule['metric'] });
          }}
        >
          {Object.entries(METRIC_LABELS).map(([metric, label]) => (
            <option key={metric} value={metric}>
              {label}
            </option>
          ))}
        </select>
        {errorFor('metric') && (
          <p className="field-error" role="alert">
            {errorFor('metric')}
          </p>
        )}
      </div>
      {settings.policy === 'target' && (
        <p className="note">
          The target policy is active (target {firstRule(settings).targetValue}); the thresholds below apply to the threshold policy.
        </p>
      )}
      {sliderSpecs(settings).map((spec) => (
        <ThresholdSlider
          key={spec.field}
          label={spec.label}
          value={valueOf(spec.field)}
          min={spec.min}
          max={spec.max}
          step={1}
          format={spec.format}
          pending={drafts[spec.field] !== undefined}
          error={errorFor(spec.field)}
          tone={spec.field === 'scaleUpThreshold' ? 'up' : spec.field === 'scaleDownThreshold' ? 'down' : undefined}
          onChange={(value) => change(spec.field, value)}
          onHold={whatIf && ((held) => whatIf.hold(held))}
        />
      ))}
    </section>
  );
});
