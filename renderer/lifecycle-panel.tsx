// How replicas come and go: warm spares, slow start, how long a request waits at zero, and how a rollout proceeds.
import { memo, useId, useState } from 'react';
import type { Settings, SettingsPatch } from '../electron/contract/contract.js';
import { SettingsShape } from '../electron/contract/settings-schema.js';
import { useBridge } from './bridge-context.js';

export type LifecycleField = 'standbyReplicas' | 'slowStartS' | 'holdTimeoutS' | 'rolloutSurge' | 'rolloutDeadlineS';

interface FieldSpec {
  field: LifecycleField;
  label: string;
  unit: string;
  hint: string;
}

const FIELDS: FieldSpec[] = [
  { field: 'standbyReplicas', label: 'Warm spares', unit: 'replicas', hint: 'started and healthy out of rotation; a scale-out takes one at once' },
  { field: 'slowStartS', label: 'Slow start', unit: 's', hint: 'a new replica ramps up its share of traffic over this long (0: at once)' },
  { field: 'holdTimeoutS', label: 'Hold at zero', unit: 's', hint: 'the most a request waits for the first replica before a 503' },
  { field: 'rolloutSurge', label: 'Rollout surge', unit: 'replicas', hint: 'new replicas started above the count while old ones are replaced' },
  { field: 'rolloutDeadlineS', label: 'Rollout deadline', unit: 's', hint: 'a rollout pauses when no new replica is ready for this long' },
];

/** The range the settings schema accepts, so the input offers no value the control plane would refuse for its range. */
function rangeOf(field: LifecycleField): { min: number; max: number; whole: boolean } {
  const schema = SettingsShape.shape[field] as { minValue?: number | null; maxValue?: number | null; isInt?: boolean };
  return { min: schema.minValue ?? 0, max: schema.maxValue ?? Number.MAX_SAFE_INTEGER, whole: schema.isInt === true };
}

export interface LifecyclePanelProps {
  settings: Settings;
  onSettings: (settings: Settings) => void;
}

/** Number fields written when a person commits them (Enter or leaving the field); a refused value shows why and snaps back. */
export const LifecyclePanel = memo(function LifecyclePanel({ settings, onSettings }: LifecyclePanelProps) {
  const api = useBridge();
  const id = useId();
  const [drafts, setDrafts] = useState<Partial<Record<LifecycleField, string>>>({});
  const [error, setError] = useState<{ field: string; message: string } | null>(null);

  const commit = async (field: LifecycleField) => {
    const draft = drafts[field];
    if (draft === undefined) return;
    const value = Number(draft);
    if (draft.trim() === '' || value === settings[field]) {
      setDrafts(({ [field]: _dropped, ...rest }) => rest);
      return;
    }
    const patch: SettingsPatch = { [field]: value };
    const answer = await api.updateSettings(patch);
    setDrafts(({ [field]: _dropped, ...rest }) => rest);
    if ('result' in answer) {
      setError(null);
      onSettings(answer.result);
    } else {
      setError({ field: answer.field ?? field, message: answer.error });
    }
  };

  const current = `${settings.standbyReplicas} spare${settings.standbyReplicas === 1 ? '' : 's'} · surge ${settings.rolloutSurge} · deadline ${settings.rolloutDeadlineS} s`;
  return (
    <section className="card lifecycle-panel" aria-labelledby={`${id}-title`}>
      {/* Folded by default: these change rarely, and the load panel below is wanted in view. */}
      <details>
        <summary>
          <h2 id={`${id}-title`}>Spares and rollouts</h2>
          <span className="current">{current}</span>
        </summary>
        {FIELDS.map(({ field, label, unit, hint }) => {
          const { min, max, whole } = rangeOf(field);
          const inputId = `${id}-${field}`;
          const hintId = `${inputId}-hint`;
          const errorId = `${inputId}-error`;
          const message = error?.field === field ? error.message : undefined;
          return (
            <div className={`field number-field${message ? ' has-error' : ''}`} key={field}>
              <label htmlFor={inputId}>
                {label} <span className="unit">({unit})</span>
              </label>
              <input
                id={inputId}
                type="number"
                inputMode={whole ? 'numeric' : 'decimal'}
                min={min}
                max={max}
                step={whole ? 1 : 'any'}
                value={drafts[field] ?? String(settings[field])}
                aria-invalid={message ? true : undefined}
                aria-describedby={message ? `${hintId} ${errorId}` : hintId}
                onChange={(event) => {
                  const text = event.currentTarget.value;
                  setDrafts((current) => ({ ...current, [field]: text }));
                }}
                onBlur={() => void commit(field)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter') void commit(field);
                  if (event.key === 'Escape') setDrafts(({ [field]: _dropped, ...rest }) => rest);
                }}
              />
              <p className="hint" id={hintId}>
                {hint}
              </p>
              {message && (
                <p className="field-error" id={errorId} role="alert">
                  {message}
                </p>
              )}
            </div>
          );
        })}
      </details>
    </section>
  );
});
