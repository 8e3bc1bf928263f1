// The working part of a "Remove …? [Remove] [Cancel]" confirmation: Cancel takes the focus, one removal at a time,
// and a refusal is kept to show in words.
import { useEffect, useRef, useState } from 'react';
import type { Result } from '../electron/contract/contract.js';

export function useConfirmedRemoval<T>(act: () => Promise<Result<T>>, removed: (result: T) => void, describe: (refusal: { error: string; field?: string }) => string = (r) => r.error) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancel = useRef<HTMLButtonElement | null>(null);
  // Cancel takes the focus: the safe choice is the one a stray Enter makes.
  useEffect(() => cancel.current?.focus(), []);

  const remove = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const answer = await act();
    setBusy(false);
    if ('result' in answer) removed(answer.result);
    else setError(describe(answer));
  };
  return { busy, error, cancel, remove };
}
