// A replica's uptime, ticking every second on the page's clock, with no re-render of the table.
import { memo, useCallback } from 'react';
import { formatDuration } from './format.js';
import { TickingCell } from './second-clock.js';

export const UptimeCell = memo(function UptimeCell({ startedAt }: { startedAt: number }) {
  const read = useCallback(() => formatDuration(Date.now() - startedAt), [startedAt]);
  return <TickingCell className="num" read={read} />;
});
