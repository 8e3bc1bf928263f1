// The schedule windows of the service as a small list editor: add, edit, remove, then save the whole list; a refused
// value shows the control plane's reason beside the field it names ("schedules.1.cron").
import { memo, useEffect, useId, useState } from 'react';
import type { Settings } from '../electron/contract/contract.js';
import type { Schedule } from '../electron/contract/schedule-schema.js';
import { MAX_SCHEDULES } from '../electron/contract/schedule-schema.js';
import { useBridge } from './bridge-context.js';

type DraftField = 'name' | 'cron' | 'durationMin' | 'minReplicas' | 'maxReplicas' | 'timezone';
type Draft = Record<DraftField, string>;

const FIELDS: { field: DraftField; label: string; placeholder?: string; numeric?: boolean }[] = [
  { field: 'name', label: 'Name' },
  { field: 'cron', label: 'Cron (5 fields)', placeholder: '0 9 * * 1-5' },
  { field: 'durationMin', label: 'Duration (min)', numeric: true },
  { field: 'minReplicas', label: 'Min replicas', placeholder: 'unchanged', numeric: true },
  { field: 'maxReplicas', label: 'Max replicas', placeholder: 'unchanged', numeric: true },
  { field: 'timezone', label: 'Time zone', placeholder: 'this machine' },
];

const draftOf = (schedule: Schedule): Draft => ({
  name: schedule.name,
  cron: schedule.cron,
  durationMin: String(schedule.durationMin),
  minReplicas: schedule.minReplicas === undefined ? '' : String(schedule.minReplicas),
  maxReplicas: schedule.maxReplicas === undefined ? '' : String(schedule.maxReplicas),
  timezone: schedule.timezone ?? '',
});

/** A number where the text is one; otherwise the text, so the control plane names the field it refuses. */
const numberOrText = (text: string): number | string => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

/** The list as the settings take it: empty optional fields left out. */
export function schedulesOf(drafts: readonly Draft[]): unknown[] {
  return drafts.map((draft) => ({
    name: draft.name,
    cron: draft.cron,
    durationMin: numberOrText(draft.durationMin),
    ...(draft.minReplicas.trim() !== '' ? { minReplicas: numberOrText(draft.minReplicas) } : {}),
    ...(draft.maxReplicas.trim() !== '' ? { maxReplicas: numberOrText(draft.maxReplicas) } : {}),
    ...(draft.timezone.trim() !== '' ? { timezone: draft.timezone.trim() } : {}),
  }));
}

function freshDraft(drafts: readonly Draft[], minReplicas: number): Draft {
  let n = drafts.length + 1;
  while (drafts.some((d) => d.name === `window-${n}`)) n++;
  return { name: `window-${n}`, cron: '0 9 * * 1-5', durationMin: '60', minReplicas: String(minReplicas + 1), maxReplicas: '', timezone: '' };
}

export interface ScheduleEditorProps {
  settings: Settings;
  onSettings: (settings: Settings) => void;
}

export const ScheduleEditor = memo(function ScheduleEditor({ settings, onSettings }: ScheduleEditorProps) {
  const api = useBridge();
  const id = useId();
  const saved = settings.schedules;
  const [drafts, setDrafts] = useState<Draft[]>(() => saved.map(draftOf));
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState<{ field: string; message: string } | null>(null);

  // A change saved elsewhere shows here, unless the person is in the middle of an edit. Keyed by content: every
  // snapshot brings a new list object, and an unchanged list must not re-render the editor.
  const savedJson = JSON.stringify(saved);
  useEffect(() => {
    if (!dirty) setDrafts((JSON.parse(savedJson) as Schedule[]).map(draftOf));
  }, [savedJson, dirty]);

  const edit = (next: Draft[]) => {
    setDrafts(next);
    setDirty(true);
  };

  const save = async () => {
    const answer = await api.updateSettings({ schedules: schedulesOf(drafts) as Schedule[] });
    if ('result' in answer) {
      setError(null);
      setDirty(false);
      onSettings(answer.result);
    } else {
      setError({ field: answer.field ?? 'schedules', message: answer.error });
    }
  };

  const discard = () => {
    setDrafts(saved.map(draftOf));
    setDirty(false);
    setError(null);
  };

  const messageFor = (field: string) => (error?.field === field ? error.message : undefined);
  const listMessage = error && !/^schedules\.\d+\.\w+$/.test(error.field) ? error.message : undefined;
  const summary = saved.length === 0 ? 'none' : saved.map((s) => s.name).join(', ');

  return (
    <section className="card schedule-editor" aria-labelledby={`${id}-title`}>
      <details open={saved.length > 0 || undefined}>
        <summary>
          <h2 id={`${id}-title`}>Schedules</h2>
          <span className="current">{summary}</span>
        </summary>
        <p className="hint">A window opens at each cron time and raises the replica range for its duration; the rules act within it.</p>
        {drafts.map((draft, i) => (
          <fieldset className="schedule-window" key={i}>
            <legend>Window {i + 1}</legend>
            {FIELDS.map(({ field, label, placeholder, numeric }) => {
              const inputId = `${id}-${i}-${field}`;
              const message = messageFor(`schedules.${i}.${field}`);
              return (
                <div className={`field${message ? ' has-error' : ''}`} key={field}>
                  <label htmlFor={inputId}>{label}</label>
                  <input
                    id={inputId}
                    type="text"
                    inputMode={numeric ? 'numeric' : undefined}
                    placeholder={placeholder}
                    value={draft[field]}
                    aria-invalid={message ? true : undefined}
                    aria-describedby={message ? `${inputId}-error` : undefined}
                    onChange={(event) => {
                      const text = event.currentTarget.value;
                      edit(drafts.map((d, j) => (j === i ? { ...d, [field]: text } : d)));
                    }}
                  />
                  {message && (
                    <p className="field-error" id={`${inputId}-error`} role="alert">
                      {message}
                    </p>
                  )}
                </div>
              );
            })}
            <button type="button" onClick={() => edit(drafts.filter((_, j) => j !== i))}>
              Remove window {i + 1}
            </button>
          </fieldset>
        ))}
        {listMessage && (
          <p className="field-error" role="alert">
            {listMessage}
          </p>
        )}
        <div className="schedule-actions">
          <button type="button" disabled={drafts.length >= MAX_SCHEDULES} onClick={() => edit([...drafts, freshDraft(drafts, settings.minReplicas)])}>
            Add window
          </button>
          <button type="button" className="primary" disabled={!dirty} onClick={() => void save()}>
            Save schedules
          </button>
          <button type="button" disabled={!dirty} onClick={discard}>
            Discard changes
          </button>
        </div>
      </details>
    </section>
  );
});
