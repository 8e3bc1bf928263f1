// "Add service": a name, an image and its ports (the other settings take their defaults); a refusal is shown at the
// field it names.
import { useId, useRef, useState, type FormEvent } from 'react';
import type { ServiceView } from '../electron/contract/contract.js';
import { useBridge } from './bridge-context.js';

const FIELDS = [
  { field: 'name', label: 'Name', type: 'text', placeholder: 'e.g. checkout', hint: undefined },
  { field: 'image', label: 'Image', type: 'text', placeholder: 'scaledeck/api:latest', hint: 'default: the sample api' },
  { field: 'containerPort', label: 'Container port', type: 'number', placeholder: '8000', hint: 'the port it listens on inside' },
  { field: 'frontendPort', label: 'Frontend port', type: 'number', placeholder: 'e.g. 8081', hint: 'where HAProxy serves it' },
] as const;

type Field = (typeof FIELDS)[number]['field'];
type Drafts = Record<Field, string>;

const EMPTY: Drafts = { name: '', image: '', containerPort: '', frontendPort: '' };

/** The addService input from the drafts: the fields left empty are left out, so they take their defaults. */
export function addServiceInput(drafts: Drafts): { name: string } & Record<string, string | number> {
  const input: { name: string } & Record<string, string | number> = { name: drafts.name.trim() };
  if (drafts.image.trim()) input.image = drafts.image.trim();
  for (const port of ['containerPort', 'frontendPort'] as const) if (drafts[port].trim()) input[port] = Number(drafts[port]);
  return input;
}

export function AddServiceForm({ onAdded }: { onAdded: (view: ServiceView) => void }) {
  const api = useBridge();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [drafts, setDrafts] = useState<Drafts>(EMPTY);
  const [error, setError] = useState<{ message: string; field: Field | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const inputs = useRef<Partial<Record<Field, HTMLInputElement | null>>>({});
  const toggle = useRef<HTMLButtonElement | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const answer = await api.addService(addServiceInput(drafts));
    setBusy(false);
    if ('result' in answer) {
      setDrafts(EMPTY);
      setOpen(false);
      onAdded(answer.result);
      // The form goes with the field that had the focus: the keyboard goes back to the button that opened it.
      toggle.current?.focus();
      return;
    }
    const field = FIELDS.find((spec) => spec.field === answer.field)?.field ?? null;
    setError({ message: answer.error, field });
    if (field) inputs.current[field]?.focus();
  };

  return (
    <div className="add-service">
      <button type="button" ref={toggle} aria-expanded={open} aria-controls={`${id}-form`} onClick={() => setOpen(!open)}>
        Add service
      </button>
      {open && (
        <form id={`${id}-form`} className="add-service-form" aria-label="Add a service" onSubmit={(event) => void submit(event)} noValidate>
          {FIELDS.map((spec) => {
            const inputId = `${id}-${spec.field}`;
            const wrong = error?.field === spec.field;
            const described = [spec.hint ? `${inputId}-hint` : '', wrong ? `${inputId}-error` : ''].filter(Boolean).join(' ');
            return (
              <div key={spec.field} className="add-service-field">
                <label htmlFor={inputId}>{spec.label}</label>
                <input
                  id={inputId}
                  ref={(element) => {
                    inputs.current[spec.field] = element;
                  }}
                  type={spec.type}
                  inputMode={spec.type === 'number' ? 'numeric' : undefined}
                  min={spec.type === 'number' ? 1 : undefined}
                  max={spec.type === 'number' ? 65535 : undefined}
                  required={spec.field === 'name'}
                  placeholder={spec.placeholder}
                  value={drafts[spec.field]}
                  aria-invalid={wrong || undefined}
                  aria-describedby={described || undefined}
                  onChange={(event) => setDrafts({ ...drafts, [spec.field]: event.currentTarget.value })}
                />
                {spec.hint && (
                  <span id={`${inputId}-hint`} className="hint">
                    {spec.hint}
                  </span>
                )}
                {wrong && (
                  <span id={`${inputId}-error`} className="field-error" role="alert">
                    {error.message}
                  </span>
                )}
              </div>
            );
          })}
          <div className="add-service-actions">
            <button type="submit" className="primary" disabled={busy || drafts.name.trim() === ''}>
              {busy ? 'Adding…' : 'Add'}
            </button>
          </div>
          {error && error.field === null && (
            <p className="field-error" role="alert">
              {error.message}
            </p>
          )}
        </form>
      )}
    </div>
  );
}
