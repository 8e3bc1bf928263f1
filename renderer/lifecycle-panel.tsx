// How replicas come and go: warm spares, slow start, how long a request waits at zero, and how a rollout proceeds.
import { memo, useId } from 'react';
import type { Settings } from '../electron/contract/contract.js';
import { NumberSetting, type NumberSettingSpec } from './number-setting.js';

const FIELDS: NumberSettingSpec[] = [
  { field: 'standbyReplicas', label: 'Warm spares', unit: 'replicas', hint: 'started and healthy out of rotation; a scale-out takes one at once' },
  { field: 'slowStartS', label: 'Slow start', unit: 's', hint: 'a new replica ramps up its share of traffic over this long (0: at once)' },
  { field: 'holdTimeoutS', label: 'Hold at zero', unit: 's', hint: 'the most a request waits for the first replica before a 503' },
  { field: 'rolloutSurge', label: 'Rollout surge', unit: 'replicas', hint: 'new replicas started above the count while old ones are replaced' },
  { field: 'rolloutDeadlineS', label: 'Rollout deadline', unit: 's', hint: 'a rollout pauses when no new replica is ready for this long' },
];

export interface LifecyclePanelProps {
  settings: Settings;
  onSettings: (settings: Settings) => void;
}

export const LifecyclePanel = memo(function LifecyclePanel({ settings, onSettings }: LifecyclePanelProps) {
  const id = useId();
  const current = `${settings.standbyReplicas} spare${settings.standbyReplicas === 1 ? '' : 's'} · surge ${settings.rolloutSurge} · deadline ${settings.rolloutDeadlineS} s`;
  return (
    <section className="card lifecycle-panel" aria-labelledby={`${id}-title`}>
      {/* Folded by default: these change rarely, and the load panel below is wanted in view. */}
      <details>
        <summary>
          <h2 id={`${id}-title`}>Spares and rollouts</h2>
          <span className="current">{current}</span>
        </summary>
        {FIELDS.map((spec) => <NumberSetting key={spec.field} {...spec} settings={settings} onSettings={onSettings} />)}
      </details>
    </section>
  );
});
