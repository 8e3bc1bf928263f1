// The replicas as they are now: state, generation, node (in a swarm), port, CPU, memory, uptime, and a way to remove one.
import { memo, useState } from 'react';
import type { ReplicaView } from '../electron/contract/contract.js';
import { useBridge } from './bridge-context.js';
import { formatMiB, formatPercent } from './format.js';
import { UptimeCell } from './uptime-cell.js';

// A spare is not removed by hand: the standbyReplicas setting keeps it, and would only start another.
const STANDBY_TITLE = 'Warm spare: healthy in HAProxy but out of rotation; the next scale-out takes it. Set by standbyReplicas.';

export const ReplicaTable = memo(function ReplicaTable({ replicas }: { replicas: ReplicaView[] }) {
  const api = useBridge();
  // Only a swarm spreads replicas over nodes; elsewhere the column would say nothing.
  const showNode = replicas.some((r) => r.node !== undefined);
  const [removing, setRemoving] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);

  const remove = async (replica: ReplicaView) => {
    setError(null);
    setRemoving((current) => new Set(current).add(replica.id));
    const answer = await api.removeReplica({ id: replica.id });
    setRemoving((current) => {
      const next = new Set(current);
      next.delete(replica.id);
      return next;
    });
    if ('error' in answer) setError(`Could not remove ${replica.name}: ${answer.error}`);
  };

  return (
    <section className="card replica-table" aria-labelledby="replica-table-title">
      <h2 id="replica-table-title">
        Replicas <span className="count-badge">{replicas.length}</span>
      </h2>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Generation</th>
              {showNode && <th scope="col">Node</th>}
              <th scope="col" className="num">
                Port
              </th>
              <th scope="col" className="num">
                CPU
              </th>
              <th scope="col" className="num">
                Memory
              </th>
              <th scope="col" className="num">
                Uptime
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {replicas.length === 0 && (
              <tr>
                <td colSpan={showNode ? 9 : 8} className="empty">
                  No replicas are running.
                </td>
              </tr>
            )}
            {replicas.map((replica) => (
              <tr key={replica.id}>
                <td className="mono" title={replica.id}>
                  {replica.name}
                </td>
                <td>
                  <span className={`badge state-${replica.state}`} title={replica.note ?? (replica.state === 'standby' ? STANDBY_TITLE : undefined)}>
                    {replica.state}
                  </span>
                  {replica.note && <span className="row-note">{replica.note}</span>}
                </td>
                <td className="mono">{replica.generation}</td>
                {showNode && <td className="mono">{replica.node ?? ''}</td>}
                <td className="num mono">{replica.hostPort}</td>
                <td className="num">{formatPercent(replica.cpuPercent)}</td>
                <td className="num">{formatMiB(replica.memBytes)}</td>
                <UptimeCell startedAt={replica.startedAt} />
                <td className="actions">
                  <button
                    type="button"
                    className="small"
                    aria-label={`Remove ${replica.name}`}
                    disabled={removing.has(replica.id) || replica.state === 'stopping' || replica.state === 'draining' || replica.state === 'standby'}
                    onClick={() => void remove(replica)}
                  >
                    {removing.has(replica.id) ? 'Removing…' : 'Remove'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
});
