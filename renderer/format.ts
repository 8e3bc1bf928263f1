// How numbers, times and durations read on the dashboard.

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local wall-clock time, e.g. "14:03:27". */
export function formatClock(at: number): string {
  const d = new Date(at);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A time-axis label: the clock time, or the local day ("Mon 7") when the ticks are a day or more apart. */
export function formatTick(at: number, stepMs: number): string {
  if (stepMs < 86_400_000) return formatClock(at);
  const d = new Date(at);
  return `${WEEKDAYS[d.getDay()]} ${d.getDate()}`;
}

/** A duration for people, e.g. "42s", "3m 07s", "2h 05m". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

export const NO_VALUE = '–';

export function formatPercent(value: number | null | undefined): string {
  return value == null ? NO_VALUE : `${Math.round(value)}%`;
}

export function formatMiB(bytes: number | null | undefined): string {
  return bytes == null ? NO_VALUE : `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}

export function formatRate(value: number | null | undefined): string {
  if (value == null) return NO_VALUE;
  return value >= 100 ? `${Math.round(value)}/s` : `${value.toFixed(1)}/s`;
}
