// Pause scale-out and pause scale-in: the policy still says what it would do, but the paused direction never acts.
import { memo, useId, useState } from 'react';
import type { Settings } from '../electron/contract/contract.js';
import { useBridge } from './bridge-context.js';

type PauseField = 'pauseScaleOut' | 'pauseScaleIn';

const SWITCHES: { field: PauseField; label: string }[] = [
  { field: 'pauseScaleOut', label: 'Pause scale-out' },
  { field: 'pauseScaleIn', label: 'Pause scale-in' },
];

export interface PauseSwitchesProps {
  pauseScaleOut: boolean;
  pauseScaleIn: boolean;
  onSettings: (settings: Settings) => void;
}

export const PauseSwitches = memo(function PauseSwitches({ pauseScaleOut, pauseScaleIn, onSettings }: PauseSwitchesProps) {
  const api = useBridge();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const values: Record<PauseField, boolean> = { pauseScaleOut, pauseScaleIn };

  const toggle = async (field: PauseField, on: boolean) => {
    setError(null);
    const answer = await api.updateSettings({ [field]: on });
    if ('result' in answer) onSettings(answer.result);
    else setError(answer.error);
  };

  return (
    <div className="pause-switches" role="group" aria-labelledby={`${id}-title`} aria-describedby={`${id}-hint`}>
      <span className="pause-title" id={`${id}-title`}>Pauses</span>
      {SWITCHES.map(({ field, label }) => (
        <label key={field} className={values[field] ? 'pause-switch on' : 'pause-switch'}>
          <input type="checkbox" role="switch" checked={values[field]} onChange={(event) => void toggle(field, event.currentTarget.checked)} />
          {label}
        </label>
      ))}
      <p className="hint" id={`${id}-hint`}>
        A paused direction only says what it would do; scaling by hand and the wake from zero still work.
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
});
