// Auto or manual: who decides the replica count, and the way back to autoscaling after a manual change.
import { memo, useId, useState } from 'react';
import type { Settings } from '../electron/contract/contract.js';
import { useBridge } from './bridge-context.js';

export const ModeSwitch = memo(function ModeSwitch({ mode, onMode }: { mode: Settings['mode']; onMode: (mode: Settings['mode']) => void }) {
  const api = useBridge();
  const name = useId();
  const [error, setError] = useState<string | null>(null);

  const setMode = async (next: Settings['mode']) => {
    setError(null);
    const answer = await api.setMode({ mode: next });
    if ('result' in answer) onMode(answer.result.mode);
    else setError(answer.error);
  };

  return (
    <div className="mode-switch">
      <fieldset className="segmented">
        <legend>Mode</legend>
        {(['auto', 'manual'] as const).map((option) => (
          <label key={option} className={mode === option ? 'selected' : undefined}>
            <input type="radio" name={name} value={option} checked={mode === option} onChange={() => void setMode(option)} />
            {option === 'auto' ? 'Auto' : 'Manual'}
          </label>
        ))}
      </fieldset>
      {mode === 'manual' && (
        <div className="manual-banner">
          <p>Autoscaling is paused: the replica count stays where you set it.</p>
          <button type="button" className="primary" onClick={() => void setMode('auto')}>
            Resume autoscaling
          </button>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
});
