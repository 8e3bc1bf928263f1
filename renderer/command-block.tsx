// A shell command a person runs themselves, shown whole in a code block with a button that copies it.
import { useId, useState } from 'react';

export function CommandBlock({ label, command }: { label: string; command: string }) {
  const id = useId();
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const copy = async () => {
    try {
      // The clipboard exists only in a secure context (the desktop window, a page on 127.0.0.1).
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(command);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="command-block">
      <span id={`${id}-label`} className="command-label">
        {label}
      </span>
      <div className="command-row">
        {/* Wrapped, never scrolled: the whole command stays readable without a focusable scroll box. */}
        <pre className="fix">
          <code>{command}</code>
        </pre>
        <button type="button" className="small" aria-describedby={`${id}-label`} onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <span className="hint" role="status">
        {copied === 'copied' ? 'Copied.' : copied === 'failed' ? 'The clipboard is not available here: select the command and copy it.' : ''}
      </span>
    </div>
  );
}
