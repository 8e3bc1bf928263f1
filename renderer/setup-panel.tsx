// Setup guidance when a requirement is missing: what was found, the commands that fix it, and the sample image build.
import { memo, useEffect, useRef, useState } from 'react';
import type { SetupCheck, Snapshot } from '../electron/contract/contract.js';
import { useBridge } from './bridge-context.js';

const CHECK_TITLES: Record<SetupCheck['id'], string> = {
  docker: 'Docker engine',
  haproxy: 'HAProxy',
  image: 'Sample image',
  port: 'Frontend port',
};

export interface SetupPanelProps {
  checks: SetupCheck[];
  imageBuild: Snapshot['imageBuild'];
  onChecks: (checks: SetupCheck[]) => void;
}

export const SetupPanel = memo(function SetupPanel({ checks, imageBuild, onChecks }: SetupPanelProps) {
  const api = useBridge();
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const log = useRef<HTMLPreElement>(null);
  const failed = checks.filter((check) => !check.ok);

  useEffect(() => {
    // Follow the build as it prints, like a terminal.
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [imageBuild.log.length]);

  const recheck = async () => {
    setChecking(true);
    setError(null);
    const answer = await api.recheck();
    setChecking(false);
    if ('result' in answer) onChecks(answer.result);
    else setError(answer.error);
  };

  const build = async () => {
    setError(null);
    const answer = await api.buildImage();
    if ('error' in answer) setError(answer.error);
  };

  const showLog = imageBuild.running || imageBuild.log.length > 0 || imageBuild.error !== null;
  return (
    <section className="card setup-panel" aria-labelledby="setup-title">
      <h2 id="setup-title">Finish setting up</h2>
      <ul className="checks">
        {failed.map((check) => (
          <li key={check.id} className="check">
            <h3>{CHECK_TITLES[check.id]}</h3>
            <p>{check.message}</p>
            {check.id === 'image' && imageBuild.running ? (
              <p role="status">Building it now; the first replica starts as soon as it is built.</p>
            ) : check.fix && (
              <pre className="fix">
                {check.fix.split('\n').map((line) => (
                  <code key={line}>{line}</code>
                ))}
              </pre>
            )}
            {check.id === 'image' && (
              <button type="button" className="primary" disabled={imageBuild.running} onClick={() => void build()}>
                {imageBuild.running ? 'Building the sample image…' : 'Build the sample image'}
              </button>
            )}
          </li>
        ))}
      </ul>
      {showLog && (
        <>
          <pre className="build-log" ref={log} aria-label="Image build log" tabIndex={0}>
            {imageBuild.log.join('\n')}
          </pre>
          {imageBuild.error && (
            <p className="field-error" role="alert">
              {imageBuild.error}
            </p>
          )}
        </>
      )}
      <div className="setup-actions">
        <button type="button" disabled={checking} onClick={() => void recheck()}>
          {checking ? 'Checking…' : 'Check again'}
        </button>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </section>
  );
});
