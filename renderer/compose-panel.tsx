// The Compose panel: a compose.yaml read into a plan (what ScaleDeck scales, what it leaves to Compose and why), the
// plan applied as it was shown, and the projects applied so far, refreshed while the panel is open.
import { useCallback, useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import type { ComposeInput, ComposeProjectView } from '../electron/contract/contract.js';
import { useBridge } from './bridge-context.js';
import { ComposePlanTable } from './compose-plan-table.js';
import { ComposeProjects } from './compose-projects.js';
import { refusalText } from './refusal-text.js';

/** How often the applied projects' states are read again while the panel is open. */
export const PROJECTS_REFRESH_MS = 3000;

/** A file handed to the panel from outside it (the desktop menu); `seq` tells a file opened twice from once. */
export interface ComposeRequest {
  input: ComposeInput;
  seq: number;
}

export interface ComposePanelProps {
  request: ComposeRequest | null;
  onSelect: (service: string) => void;
  onRemoved: (services: string[]) => void;
}

type Busy = 'reading' | 'planning' | 'applying' | null;

/** A picked file's text, through FileReader: every engine the dashboard runs in has it (Blob.text() is newer). */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsText(file);
  });
}

export function ComposePanel({ request, onSelect, onRemoved }: ComposePanelProps) {
  const api = useBridge();
  const id = useId();
  const [input, setInput] = useState<ComposeInput | null>(null);
  const [plan, setPlan] = useState<ComposeProjectView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState<Busy>(null);
  const [projects, setProjects] = useState<ComposeProjectView[] | null>(null);
  // A file without `name:` needs one: Compose takes its folder's, which a browser never sends.
  const [projectName, setProjectName] = useState('');
  const named = (next: ComposeInput): ComposeInput => {
    const rest = { ...next };
    delete rest.projectName;
    return projectName.trim() ? { ...rest, projectName: projectName.trim() } : rest;
  };
  const fileInput = useRef<HTMLInputElement | null>(null);

  const refresh = useCallback(async () => {
    const answer = await api.getComposeProjects();
    if ('result' in answer) setProjects(answer.result);
  }, [api]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), PROJECTS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  // The file input is where a person starts; the keyboard goes there when the panel opens.
  useEffect(() => fileInput.current?.focus(), []);

  const planFile = useCallback(
    async (next: ComposeInput) => {
      setInput(next);
      setPlan(null);
      setError(null);
      setStatus('');
      setBusy('planning');
      const answer = await api.planCompose(next);
      setBusy(null);
      if ('result' in answer) setPlan(answer.result);
      else setError(refusalText(answer));
    },
    [api],
  );

  useEffect(() => {
    if (request) void planFile(request.input);
  }, [request, planFile]);

  const pick = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0];
    if (!file) return;
    setBusy('reading');
    let yaml: string;
    try {
      yaml = await readText(file);
    } catch {
      setBusy(null);
      setError(`Could not read ${file.name}: pick it again.`);
      return;
    }
    // A browser gives the file's text and name, never its folder: a file with relative paths is refused naming them.
    await planFile(named({ yaml, fileName: file.name }));
  };

  const apply = async () => {
    if (!input || busy) return;
    setError(null);
    setStatus('');
    setBusy('applying');
    // The very input the plan was made from, so what is applied is what was shown.
    const answer = await api.applyCompose(input);
    setBusy(null);
    if (!('result' in answer)) {
      setError(refusalText(answer));
      return;
    }
    setPlan(answer.result);
    setStatus(`Applied ${answer.result.project}.`);
    void refresh();
  };

  const removed = (project: string, services: string[]) => {
    setStatus(`Removed ${project}.`);
    onRemoved(services);
    // The project goes with the button that had the focus: the keyboard goes back to the top of the panel.
    fileInput.current?.focus();
    void refresh();
  };

  return (
    <section className="card compose-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Compose</h2>
      <p className="note">
        Plan a <span className="mono">compose.yaml</span>: ScaleDeck scales the services it can and leaves the rest to Compose. Planning starts nothing.
      </p>
      <div className="compose-pick">
        <label htmlFor={`${id}-project`}>Project name</label>
        <input
          id={`${id}-project`}
          type="text"
          value={projectName}
          maxLength={63}
          aria-describedby={`${id}-project-hint`}
          onChange={(event) => setProjectName(event.currentTarget.value)}
        />
        <span id={`${id}-project-hint`} className="hint">
          for a file without <span className="mono">name:</span>
        </span>
        {input && (
          <button type="button" disabled={busy !== null} onClick={() => void planFile(named(input))}>
            Plan again
          </button>
        )}
        <label htmlFor={`${id}-file`}>Compose file</label>
        <input
          id={`${id}-file`}
          ref={fileInput}
          type="file"
          accept=".yaml,.yml,application/yaml,text/yaml"
          aria-describedby={`${id}-file-hint`}
          onChange={(event) => void pick(event)}
        />
        <span id={`${id}-file-hint`} className="hint">
          {input?.fileName ? `Planned: ${input.fileName}${input.projectDir ? ` in ${input.projectDir}` : ''}` : '.yaml or .yml'}
        </span>
      </div>
      <p role="status" className="compose-status">
        {busy === 'planning' ? 'Planning…' : busy === 'applying' ? 'Applying…' : status}
      </p>
      {error && (
        <p className="field-error compose-error" role="alert">
          {error}
        </p>
      )}
      {plan && (
        <div className="compose-plan-area">
          <h3>
            {plan.applied ? 'Applied' : 'Plan'}: <span className="mono">{plan.project}</span>
          </h3>
          <ComposePlanTable plan={plan} />
          <div className="compose-actions">
            <button type="button" className="primary" aria-disabled={busy !== null || undefined} onClick={() => void apply()}>
              {busy === 'applying' ? 'Applying…' : plan.applied ? 'Apply again' : 'Apply plan'}
            </button>
          </div>
        </div>
      )}
      <h3>Applied projects</h3>
      {projects === null ? <p className="note">Reading the applied projects…</p> : <ComposeProjects projects={projects} onSelect={onSelect} onRemoved={removed} />}
    </section>
  );
}
