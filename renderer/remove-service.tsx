// Removing a service, in two steps: Remove, then a confirmation that says what it does (drains its replicas and closes
// its frontend), or Cancel.
import { useEffect, useRef, useState } from 'react';
import { useBridge } from './bridge-context.js';

export function RemoveService({ name, onRemoved }: { name: string; onRemoved: (name: string) => void }) {
  const api = useBridge();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancel = useRef<HTMLButtonElement | null>(null);
  const start = useRef<HTMLButtonElement | null>(null);
  const wasConfirming = useRef(false);

  // The keyboard follows the step: to Cancel when asked (the safe choice), back to Remove when the question goes.
  useEffect(() => {
    if (confirming) cancel.current?.focus();
    else if (wasConfirming.current) start.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  const remove = async () => {
    setBusy(true);
    setError(null);
    const answer = await api.removeService({ name });
    setBusy(false);
    if ('result' in answer) onRemoved(name);
    else setError(answer.error);
  };

  return (
    <div className="remove-service">
      {confirming ? (
        <div className="remove-confirm" role="group" aria-label={`Confirm removing ${name}`}>
          <span className="remove-question">Drain {name}'s replicas and close its frontend?</span>
          <button type="button" className="small danger" disabled={busy} onClick={() => void remove()}>
            {busy ? 'Removing…' : `Remove ${name}`}
          </button>
          <button type="button" className="small" ref={cancel} disabled={busy} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="small" ref={start} aria-label={`Remove service ${name}`} onClick={() => setConfirming(true)}>
          Remove
        </button>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
