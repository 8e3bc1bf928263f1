// The figures a benchmark reports: each measured value as median, min and max over its runs, with its goal.

export interface Spread {
  median: number;
  min: number;
  max: number;
  p95: number;
  runs: number;
}

export interface Goal {
  /** The goal in words, e.g. "median < 1.5 s". */
  text: string;
  met: boolean;
}

/** One row of the results table: what was measured, for whom, and how it spread over its runs. */
export interface FigureRow {
  figure: string;
  subject: string;
  measure: string;
  unit: string;
  /** null when nothing could be measured (the note says why). */
  spread: Spread | null;
  values: number[];
  goal?: Goal;
  note?: string;
}

export interface FigureResult {
  id: FigureId;
  title: string;
  rows: FigureRow[];
  /** What the numbers mean, what was found by profiling, what should change. */
  findings: string[];
  durationS: number;
}

export const FIGURE_IDS = ['scale-out', 'load-step', 'scale-in', 'rollout', 'control-plane', 'services', 'data-plane', 'dashboard', 'what-if', 'self-healing', 'zero-and-spares', 'forecast'] as const;
export type FigureId = (typeof FIGURE_IDS)[number];

/** Nearest-rank percentile of sorted values: p95 of 20 values is the 19th, never an interpolation that did not happen. */
function percentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

export function spreadOf(values: readonly number[]): Spread | null {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return null;
  const sorted = [...finite].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, p95: percentile(sorted, 95), runs: finite.length };
}

export function row(fields: Omit<FigureRow, 'spread'>): FigureRow {
  return { ...fields, spread: spreadOf(fields.values) };
}

export const seconds = (ms: number): number => ms / 1000;
