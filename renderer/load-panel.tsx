// Generate load: send a bounded stream of requests through the frontend and watch the autoscaler respond.
import { memo, useCallback, useId, useState } from 'react';
import type { LoadStatus } from '../electron/contract/contract.js';
import { useBridge } from './bridge-context.js';
import { formatDuration } from './format.js';
import { TickingSpan } from './second-clock.js';

// The contract's LoadInput limits, so a bad number is caught before it is sent.
const RATE_LIMITS = { min: 1, max: 5000 };
const DURATION_LIMITS = { min: 1, max: 600 };
const PATH_PATTERN = /^\/[\x21-\x7e]{0,199}$/;
// `/` costs the sample api almost nothing, so it never raises replica CPU; `/work` burns CPU for `ms` per request.
const DEFAULT_PATH = '/work?ms=50';

function problemWith(rate: number, durationS: number, path: string): string | null {
  if (!Number.isInteger(rate) || rate < RATE_LIMITS.min || rate > RATE_LIMITS.max) return `Rate must be a whole number from ${RATE_LIMITS.min} to ${RATE_LIMITS.max} req/s.`;
  if (!Number.isInteger(durationS) || durationS < DURATION_LIMITS.min || durationS > DURATION_LIMITS.max) {
    return `Duration must be a whole number from ${DURATION_LIMITS.min} to ${DURATION_LIMITS.max} s.`;
  }
  if (!PATH_PATTERN.test(path)) return 'Path must start with / and have no spaces (at most 200 characters), e.g. /work?ms=50.';
  return null;
}

export const LoadPanel = memo(function LoadPanel({ load, onLoad }: { load: LoadStatus; onLoad: (load: LoadStatus) => void }) {
  const api = useBridge();
  const id = useId();
  const [rate, setRate] = useState(String(load.rate > 0 ? load.rate : 50));
  const [duration, setDuration] = useState(String(load.durationS > 0 ? load.durationS : 60));
  const [path, setPath] = useState(DEFAULT_PATH);
  const [error, setError] = useState<string | null>(null);
  const endsAt = load.running && load.startedAt !== null ? load.startedAt + load.durationS * 1000 : null;
  // A countdown rounds up: it reads "1s left" until the very end, never "0s left" while still sending.
  const readLeft = useCallback(() => (endsAt === null ? '' : `${formatDuration(Math.ceil(Math.max(0, endsAt - Date.now()) / 1000) * 1000)} left`), [endsAt]);
  const problem = problemWith(Number(rate), Number(duration), path);

  const start = async () => {
    if (problem) return;
    setError(null);
    const answer = await api.startLoad({ rate: Number(rate), durationS: Number(duration), path });
    if ('result' in answer) onLoad(answer.result);
    else setError(answer.error);
  };

  const stop = async () => {
    setError(null);
    const answer = await api.stopLoad();
    if ('result' in answer) onLoad(answer.result);
    else setError(answer.error);
  };

  return (
    <section className="card load-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Generate load</h2>
      <div className="load-inputs">
        <label htmlFor={`${id}-rate`}>
          Rate <span className="unit">req/s</span>
        </label>
        <input
          id={`${id}-rate`}
          type="number"
          inputMode="numeric"
          min={RATE_LIMITS.min}
          max={RATE_LIMITS.max}
          step={1}
          value={rate}
          disabled={load.running}
          onChange={(event) => setRate(event.currentTarget.value)}
        />
        <label htmlFor={`${id}-duration`}>
          Duration <span className="unit">s</span>
        </label>
        <input
          id={`${id}-duration`}
          type="number"
          inputMode="numeric"
          min={DURATION_LIMITS.min}
          max={DURATION_LIMITS.max}
          step={1}
          value={duration}
          disabled={load.running}
          onChange={(event) => setDuration(event.currentTarget.value)}
        />
        <label htmlFor={`${id}-path`}>Path</label>
        <input
          id={`${id}-path`}
          className="load-path"
          type="text"
          spellCheck={false}
          autoComplete="off"
          value={path}
          disabled={load.running}
          onChange={(event) => setPath(event.currentTarget.value)}
        />
      </div>
      <div className="load-actions">
        {load.running ? (
          <button type="button" className="danger" onClick={() => void stop()}>
            Stop
          </button>
        ) : (
          <button type="button" className="primary" disabled={problem !== null} onClick={() => void start()}>
            Start
          </button>
        )}
        {/* The status region announces a start and a stop; the countdown beside it ticks without being read out each second. */}
        <span className="load-state" role="status">
          {load.running ? `${load.rate} req/s` : 'idle'}
        </span>
        {endsAt !== null && <TickingSpan className="load-state load-left" read={readLeft} />}
      </div>
      {(problem ?? error) && (
        <p className="field-error" role="alert">
          {problem ?? error}
        </p>
      )}
      <dl className="load-stats">
        <div>
          <dt>Sent</dt>
          <dd>{load.sent.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd className={load.errors > 0 ? 'warn' : undefined}>{load.errors.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Non-2xx</dt>
          <dd className={load.non2xx > 0 ? 'warn' : undefined}>{load.non2xx.toLocaleString()}</dd>
        </div>
      </dl>
    </section>
  );
});
