// What the policy is waiting for right now ("scale-down cooldown 30 s, 16 s left"), from the latest snapshot.
import { memo } from 'react';
import type { Snapshot } from '../electron/contract/contract.js';

export const PolicyWaiting = memo(function PolicyWaiting({ policy }: { policy: Snapshot['policy'] }) {
  return (
    <p className="policy-waiting" role="status">
      <span className="policy-waiting-label">Waiting for: </span>
      {policy.waitingFor ?? 'nothing (no change held back)'}
    </p>
  );
});
