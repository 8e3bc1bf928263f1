// What the policy is waiting for right now ("scale-down cooldown 30 s, 16 s left"), and the schedule window open now
// or the next one, from the latest snapshot.
import { memo } from 'react';
import type { Snapshot } from '../electron/contract/contract.js';

export const PolicyWaiting = memo(function PolicyWaiting({ policy }: { policy: Pick<Snapshot['policy'], 'waitingFor' | 'schedule'> }) {
  // With nothing held back, the next window is what the policy waits for; otherwise it is told on its own line.
  const scheduleLine = policy.schedule.open ?? (policy.waitingFor !== null ? policy.schedule.next : null);
  return (
    <div className="policy-waiting" role="status">
      <p>
        <span className="policy-waiting-label">Waiting for: </span>
        {policy.waitingFor ?? policy.schedule.next ?? 'nothing (no change held back)'}
      </p>
      {scheduleLine && (
        <p>
          <span className="policy-waiting-label">Schedule: </span>
          {scheduleLine}
        </p>
      )}
    </div>
  );
});
