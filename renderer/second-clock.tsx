// Texts that follow the clock (replica uptimes, a load's time left), written once a second without re-rendering React.
import { createContext, memo, useContext, useLayoutEffect, useRef } from 'react';
import { CLOCK_FRAME_MEASURE, LiveFrame } from './live-frame.js';

/** Calls every added draw once a second, all in one frame; `add` answers the function that stops it. */
export interface SecondClock {
  add(draw: () => void): () => void;
}

/** A clock with its own timer, running only while something follows it. */
export function standaloneClock(intervalMs = 1000, frame = new LiveFrame(undefined, CLOCK_FRAME_MEASURE)): SecondClock {
  let followers = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  return {
    add(draw) {
      const remove = frame.add(draw);
      followers += 1;
      timer ??= setInterval(frame.request, intervalMs);
      return () => {
        remove();
        followers -= 1;
        if (followers === 0 && timer !== null) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
  };
}

/** The dashboard provides the history feed's clock, which ticks between the charts' frames; alone, a clock of its own. */
export const SecondClockContext = createContext<SecondClock>(standaloneClock());

/** A span or cell whose text `read` gives, rewritten each second only when it changes. */
function useTickingText<E extends HTMLElement>(read: () => string) {
  const clock = useContext(SecondClockContext);
  const element = useRef<E | null>(null);
  useLayoutEffect(() => {
    const draw = () => {
      const text = read();
      if (element.current && element.current.textContent !== text) element.current.textContent = text;
    };
    draw();
    return clock.add(draw);
  }, [clock, read]);
  return element;
}

/** `read` must keep its identity between renders (memoise it), or the text is re-subscribed on each. */
export const TickingSpan = memo(function TickingSpan({ read, className }: { read: () => string; className?: string }) {
  return <span className={className} ref={useTickingText<HTMLSpanElement>(read)} />;
});

export const TickingCell = memo(function TickingCell({ read, className }: { read: () => string; className?: string }) {
  return <td className={className} ref={useTickingText<HTMLTableCellElement>(read)} />;
});
