// Removing a service, in two steps: Remove on its row, then a row under it that says what removing does (drains its
// replicas, closes its frontend) with the button that does it, and Cancel.
import { useBridge } from './bridge-context.js';
import { useConfirmedRemoval } from './confirmed-removal.js';

export interface RemoveServiceConfirmProps {
  name: string;
  /** How many columns the row spans. */
  columns: number;
  onRemoved: (name: string) => void;
  onCancel: () => void;
}

export function RemoveServiceConfirm({ name, columns, onRemoved, onCancel }: RemoveServiceConfirmProps) {
  const api = useBridge();
  const { busy, error, cancel, remove } = useConfirmedRemoval(() => api.removeService({ name }), () => onRemoved(name));

  return (
    <tr className="confirm-row">
      <td colSpan={columns}>
        <div className="remove-confirm" role="group" aria-label={`Confirm removing ${name}`}>
          <span>
            Remove <strong>{name}</strong>? Its replicas are drained, then its frontend is closed and its settings are forgotten.
          </span>
          {/* aria-disabled, not disabled, while it runs: a disabled button drops the keyboard's focus to the page. */}
          <button type="button" className="small danger" aria-disabled={busy || undefined} onClick={() => void remove()}>
            {busy ? 'Removing…' : `Remove ${name}`}
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
      </td>
    </tr>
  );
}
