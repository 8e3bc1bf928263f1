// The Compose projects applied: each one's scaled services (a button shows its cockpit), what it leaves to Compose
// shown read-only with its state and the command that starts it, and Remove project with a confirmation.
import { useRef, useState } from 'react';
import type { ComposeProjectView } from '../electron/contract/contract.js';
import { useBridge } from './bridge-context.js';
import { CommandBlock } from './command-block.js';
import { useConfirmedRemoval } from './confirmed-removal.js';
import { refusalText } from './refusal-text.js';

export interface ComposeProjectsProps {
  projects: ComposeProjectView[];
  onSelect: (service: string) => void;
  onRemoved: (project: string, services: string[]) => void;
}

export function ComposeProjects({ projects, onSelect, onRemoved }: ComposeProjectsProps) {
  if (projects.length === 0) return <p className="note">No Compose project applied yet.</p>;
  return (
    <ul className="compose-projects">
      {projects.map((project) => (
        <li key={project.project}>
          <ComposeProject project={project} onSelect={onSelect} onRemoved={onRemoved} />
        </li>
      ))}
    </ul>
  );
}

function ComposeProject({ project, onSelect, onRemoved }: { project: ComposeProjectView } & Omit<ComposeProjectsProps, 'projects'>) {
  const scaled = project.services.filter((service) => service.scale);
  const left = project.services.filter((service) => !service.scale);
  const [confirming, setConfirming] = useState(false);
  const removeButton = useRef<HTMLButtonElement | null>(null);
  const cancel = () => {
    setConfirming(false);
    // The keyboard goes back to where it was before the question.
    removeButton.current?.focus();
  };
  return (
    <article className="compose-project" aria-labelledby={`compose-project-${project.project}`}>
      <div className="compose-project-head">
        <h4 id={`compose-project-${project.project}`}>
          <span className="mono">{project.project}</span> <span className="hint">from {project.file}</span>
        </h4>
        <button
          type="button"
          className="small"
          ref={removeButton}
          aria-label={`Remove project ${project.project}`}
          aria-expanded={confirming}
          onClick={() => setConfirming(!confirming)}
        >
          Remove project
        </button>
      </div>
      {confirming && <RemoveProjectConfirm project={project.project} scaled={scaled.length} onRemoved={onRemoved} onCancel={cancel} />}
      <div className="compose-project-parts">
        <div>
          <h5>Scaled by ScaleDeck</h5>
          {scaled.length === 0 ? (
            <p className="note">None.</p>
          ) : (
            <ul className="compose-scaled">
              {scaled.map((service) => (
                <li key={service.name}>
                  {service.service ? (
                    <button type="button" className="service-pick" aria-label={`Show ${service.service}`} onClick={() => onSelect(service.service!)}>
                      {service.service}
                    </button>
                  ) : (
                    <span className="mono">{service.name}</span>
                  )}
                  {service.frontend && <span className="hint mono"> on {`${service.frontend.host}:${service.frontend.port}`}</span>}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h5>Left to Compose (read-only)</h5>
          {left.length === 0 ? (
            <p className="note">None: ScaleDeck scales every service of this project.</p>
          ) : (
            <table aria-label={`Services of ${project.project} left to Compose`}>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">State</th>
                  <th scope="col">Image</th>
                </tr>
              </thead>
              <tbody>
                {left.map((service) => (
                  <tr key={service.name}>
                    <th scope="row" className="mono">
                      {service.name}
                    </th>
                    <td>
                      <span className={`badge compose-state state-${service.state ?? 'missing'}`}>{service.state ?? 'missing'}</span>
                    </td>
                    <td className="mono">{service.image ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {project.composeUp && <CommandBlock label="Start them with" command={project.composeUp} />}
        </div>
      </div>
    </article>
  );
}

function RemoveProjectConfirm({ project, scaled, onRemoved, onCancel }: { project: string; scaled: number; onRemoved: ComposeProjectsProps['onRemoved']; onCancel: () => void }) {
  const api = useBridge();
  const { busy, error, cancel, remove } = useConfirmedRemoval(() => api.removeCompose({ project }), (result) => onRemoved(project, result.removed), refusalText);

  return (
    <div className="compose-remove">
      <div className="remove-confirm" role="group" aria-label={`Confirm removing project ${project}`}>
        <span>
          Remove <strong>{project}</strong>? Its {scaled === 1 ? 'scaled service is' : `${scaled} scaled services are`} drained and removed; what
          Compose runs is left alone.
        </span>
        {/* aria-disabled, not disabled, while it runs: a disabled button drops the keyboard's focus to the page. */}
        <button type="button" className="small danger" aria-disabled={busy || undefined} onClick={() => void remove()}>
          {busy ? 'Removing…' : `Remove ${project}`}
        </button>
        <button type="button" className="small" ref={cancel} aria-disabled={busy || undefined} onClick={busy ? undefined : onCancel}>
          Cancel
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
