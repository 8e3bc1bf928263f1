// Picks how much history the charts show; only the charts re-render when it changes.
import type { HistoryFeed, TimeWindowS } from './history-feed.js';
import { TIME_WINDOWS_S } from './history-feed.js';
import { useStoreValue } from './value-store.js';

const LABELS: Record<TimeWindowS, string> = { 60: '1 min', 300: '5 min', 900: '15 min', 3600: '1 h', 21_600: '6 h', 86_400: '24 h', 604_800: '7 d' };

export function TimeWindowPicker({ feed }: { feed: HistoryFeed }) {
  const current = useStoreValue(feed.windowS);
  return (
    <div className="time-window" role="group" aria-label="Time window">
      {TIME_WINDOWS_S.map((windowS) => (
        <button key={windowS} type="button" className={windowS === current ? 'selected' : undefined} aria-pressed={windowS === current} onClick={() => feed.setWindow(windowS)}>
          {LABELS[windowS]}
        </button>
      ))}
    </div>
  );
}
