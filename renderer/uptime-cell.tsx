// A replica's uptime, ticking every second by writing its own text: one shared timer for every cell, and no
// re-render of the table (ten rows re-rendered each second cost more than the charts' live updates).
import { memo, useLayoutEffect, useRef } from 'react';
import { formatDuration } from './format.js';

const cells = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function tickWith(draw: () => void): () => void {
  cells.add(draw);
  timer ??= setInterval(() => cells.forEach((cell) => cell()), 1000);
  return () => {
    cells.delete(draw);
    if (cells.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

export const UptimeCell = memo(function UptimeCell({ startedAt }: { startedAt: number }) {
  const cell = useRef<HTMLTableCellElement | null>(null);
  useLayoutEffect(() => {
    const draw = () => {
      const text = formatDuration(Date.now() - startedAt);
      if (cell.current && cell.current.textContent !== text) cell.current.textContent = text;
    };
    draw();
    return tickWith(draw);
  }, [startedAt]);
  return <td className="num" ref={cell} />;
});
