// Whether the load forecast is off, drawn, or also scaled on, and how far ahead of the forecast load it scales.
import { memo, useId, useState } from 'react';
import type { Settings } from '../electron/contract/contract.js';
import { FORECAST_MODES } from '../electron/contract/settings-schema.js';
import { useBridge } from './bridge-context.js';
import { NumberSetting } from './number-setting.js';

const MODE_LABELS: Record<Settings['forecast'], string> = {
  off: 'Off',
  show: 'Show it on the charts',
  scale: 'Show it and scale out ahead of it',
};

export interface ForecastPanelProps {
  settings: Settings;
  onSettings: (settings: Settings) => void;
}

export const ForecastPanel = memo(function ForecastPanel({ settings, onSettings }: ForecastPanelProps) {
  const api = useBridge();
  const id = useId();
  const [message, setMessage] = useState<string | undefined>(undefined);
  const choose = async (forecast: Settings['forecast']) => {
    const answer = await api.updateSettings({ forecast });
    if ('result' in answer) {
      setMessage(undefined);
      onSettings(answer.result);
    } else {
      setMessage(answer.error);
    }
  };
  return (
    <section className="card forecast-panel" aria-labelledby={`${id}-title`}>
      <details>
        <summary>
          <h2 id={`${id}-title`}>Forecast</h2>
          <span className="current">{settings.forecast === 'scale' ? `scales ${settings.forecastLeadS} s ahead` : settings.forecast}</span>
        </summary>
        <div className={`field${message ? ' has-error' : ''}`}>
          <label htmlFor={`${id}-mode`}>Forecast from the last 7 days</label>
          <select
            id={`${id}-mode`}
            value={settings.forecast}
            aria-invalid={message ? true : undefined}
            onChange={(event) => void choose(event.currentTarget.value as Settings['forecast'])}
          >
            {FORECAST_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {MODE_LABELS[mode]}
              </option>
            ))}
          </select>
          {message && (
            <p className="field-error" role="alert">
              {message}
            </p>
          )}
        </div>
        <NumberSetting
          field="forecastLeadS" label="Scale out ahead by" unit="s" settings={settings} onSettings={onSettings}
          hint="in scale mode, how long before the forecast load arrives the count is raised for it; never scales in"
        />
      </details>
    </section>
  );
});
