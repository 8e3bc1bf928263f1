// One labelled, keyboard-operable slider for a scaling setting (threshold, replica limit, cooldown), with its error.
import { useId } from 'react';

export interface ThresholdSliderProps {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  /** How the value reads next to the label and to a screen reader, e.g. "70%". */
  format: (value: number) => string;
  /** Marks the value as not yet confirmed by the control plane. */
  pending?: boolean;
  error?: string;
  /** Colours the slider like the chart line it moves. */
  tone?: 'up' | 'down';
  onChange: (value: number) => void;
  /** Told when a pointer takes and lets go of the slider, so what follows the drag can stay while it rests. */
  onHold?: (held: boolean) => void;
}

export function ThresholdSlider({ label, value, min, max, step, format, pending, error, tone, onChange, onHold }: ThresholdSliderProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const text = format(value);
  return (
    <div className={`slider${tone ? ` tone-${tone}` : ''}${error ? ' has-error' : ''}`}>
      <div className="slider-head">
        <label htmlFor={id}>{label}</label>
        <output htmlFor={id} className={pending ? 'pending' : undefined}>
          {text}
        </output>
      </div>
      <input
        id={id}
        type="range"
        min={min}
        max={max}
        step={step}
        value={value}
        aria-valuetext={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(event) => onChange(Number(event.currentTarget.value))}
        onPointerDown={onHold && (() => onHold(true))}
        onPointerUp={onHold && (() => onHold(false))}
        onPointerCancel={onHold && (() => onHold(false))}
      />
      {error && (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
