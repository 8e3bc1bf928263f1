// The rollout in the status area: which version replaces which, "2 of 4 replaced", and when a bad version paused it, why, with Roll back and Retry.
import { memo, useState } from 'react';
import type { Result, RolloutView } from '../electron/contract/contract.js';
import { useBridge } from './bridge-context.js';

/** `service` names whose rollout it is, when there are several services to tell apart. */
export const RolloutStatus = memo(function RolloutStatus({ rollout, service }: { rollout: RolloutView; service?: string }) {
  const api = useBridge();
  const [busy, setBusy] = useState<'rollback' | 'retry' | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (rollout.state === 'idle') return null;

  const run = async (which: 'rollback' | 'retry', command: () => Promise<Result<RolloutView>>) => {
    setBusy(which);
    setError(null);
    const answer = await command();
    setBusy(null);
    if ('error' in answer) setError(answer.error);
  };

  const paused = rollout.state === 'paused';
  const what = `${service ? `${service}: ` : ''}${rollout.from ? `${rollout.from} → ` : ''}${rollout.to ?? 'a new version'}`;
  return (
    <section className={`rollout-status${paused ? ' paused' : ''}`} aria-labelledby="rollout-title">
      <h2 id="rollout-title">{paused ? 'Rollout paused' : 'Rolling out'}</h2>
      <span className="mono">{what}</span>
      <progress max={Math.max(1, rollout.total)} value={rollout.replaced} aria-label="Replicas replaced" />
      <span role="status" aria-live="polite">
        {rollout.replaced} of {rollout.total} replaced
      </span>
      {paused && (
        <>
          <p className="rollout-reason" role="alert">
            The old replicas keep serving: {rollout.reason ?? 'the new version did not get ready'}
          </p>
          <div className="rollout-actions">
            <button type="button" disabled={busy !== null || !rollout.canRollBack} onClick={() => void run('rollback', () => api.rollback())}>
              {busy === 'rollback' ? 'Rolling back…' : 'Roll back'}
            </button>
            <button type="button" disabled={busy !== null} onClick={() => void run('retry', () => api.retryRollout())}>
              {busy === 'retry' ? 'Retrying…' : 'Retry'}
            </button>
          </div>
        </>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
});
