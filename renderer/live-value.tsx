// A figure that follows the latest sample (a legend's value), written in the live frame without re-rendering React.
import { memo, useLayoutEffect, useRef } from 'react';
import type { Sample } from '../electron/contract/contract.js';
import type { HistoryFeed } from './history-feed.js';

/** `read` must keep its identity (a module-level function): a new one re-subscribes. */
export const LiveValue = memo(function LiveValue({ feed, read }: { feed: HistoryFeed; read: (latest: Sample | undefined) => string }) {
  const element = useRef<HTMLSpanElement | null>(null);
  useLayoutEffect(() => {
    let shown: string | null = null;
    const draw = () => {
      const text = read(feed.view.get().latest);
      if (text === shown || !element.current) return;
      shown = text;
      element.current.textContent = text;
    };
    draw();
    return feed.frame.add(draw);
  }, [feed, read]);
  return <span ref={element} />;
});
