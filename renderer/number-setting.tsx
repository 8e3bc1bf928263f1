// One numeric setting as a labelled field: written when a person commits it (Enter or leaving the field), bounded by
// the settings schema; a refused value shows the control plane's reason beside it and snaps back.
import { memo, useId, useState } from 'react';
import type { Settings, SettingsPatch } from '../electron/contract/contract.js';
import { SettingsShape } from '../electron/contract/settings-schema.js';
import { useBridge } from './bridge-context.js';

export type NumberSettingField = 'standbyReplicas' | 'slowStartS' | 'holdTimeoutS' | 'rolloutSurge' | 'rolloutDeadlineS' | 'forecastLeadS';

export interface NumberSettingSpec {
  field: NumberSettingField;
  label: string;
  unit: string;
  hint: string;
}

/** The range the settings schema accepts, so the input offers no value the control plane would refuse for its range. */
function rangeOf(field: NumberSettingField): { min: number; max: number; whole: boolean } {
  const schema = SettingsShape.shape[field] as { minValue?: number | null; maxValue?: number | null; isInt?: boolean };
  return { min: schema.minValue ?? 0, max: schema.maxValue ?? Number.MAX_SAFE_INTEGER, whole: schema.isInt === true };
}

export interface NumberSettingProps extends NumberSettingSpec {
  settings: Settings;
  onSettings: (settings: Settings) => void;
}

export const NumberSetting = memo(function NumberSetting({ field, label, unit, hint, settings, onSettings }: NumberSettingProps) {
  const api = useBridge();
  const inputId = useId();
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const { min, max, whole } = rangeOf(field);
  const [hintId, errorId] = [`${inputId}-hint`, `${inputId}-error`];

  const commit = async () => {
    if (draft === undefined) return;
    const value = Number(draft);
    if (draft.trim() === '' || value === settings[field]) {
      setDraft(undefined);
      return;
    }
    const patch: SettingsPatch = { [field]: value };
    const answer = await api.updateSettings(patch);
    setDraft(undefined);
    if ('result' in answer) {
      setMessage(undefined);
      onSettings(answer.result);
    } else {
      setMessage(answer.error);
    }
  };

  return (
    <div className={`field number-field${message ? ' has-error' : ''}`}>
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
        value={draft ?? String(settings[field])}
        aria-invalid={message ? true : undefined}
        aria-describedby={message ? `${hintId} ${errorId}` : hintId}
        onChange={(event) => setDraft(event.currentTarget.value)}
        onBlur={() => void commit()}
        onKeyDown={(event) => {
          if (event.key === 'Enter') void commit();
          if (event.key === 'Escape') setDraft(undefined);
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
});
