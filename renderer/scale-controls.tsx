// The manual scale buttons: - and + around the desired count (using them switches the control plane to manual).
import { memo, useState } from 'react';
import type { Settings } from '../electron/contract/contract.js';
import { useBridge } from './bridge-context.js';

export interface ScaleControlsProps {
  desired: number;
  ready: number;
  maxReplicas: number;
  onScaled: (answer: { desired: number; mode: Settings['mode'] }) => void;
}

export const ScaleControls = memo(function ScaleControls({ desired, ready, maxReplicas, onScaled }: ScaleControlsProps) {
  const api = useBridge();
  // Quick clicks build on the count already asked for, not on a snapshot that has not caught up yet.
  const [asked, setAsked] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shown = asked ?? desired;

  const scaleTo = async (replicas: number) => {
    setAsked(replicas);
    setError(null);
    const answer = await api.scale({ replicas });
    setAsked((current) => (current === replicas ? null : current));
    if ('result' in answer) onScaled(answer.result);
    else setError(answer.error);
  };

  return (
    <div className="scale-controls">
      <div className="stepper">
        <button type="button" className="step-button" aria-label="Remove a replica" disabled={shown <= 0} onClick={() => void scaleTo(shown - 1)}>
          −
        </button>
        <div className="desired" aria-live="polite">
          <span className="desired-count" data-testid="desired-count">
            {shown}
          </span>
          <span className="desired-caption">
            desired · {ready} ready
          </span>
        </div>
        <button type="button" className="step-button" aria-label="Add a replica" disabled={shown >= maxReplicas} onClick={() => void scaleTo(shown + 1)}>
          +
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
});
