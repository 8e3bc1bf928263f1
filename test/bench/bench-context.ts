// What every figure gets from the runner: run length, a log, and unique names for what it starts.

export interface BenchContext {
  /** Fewer runs and shorter windows (`--quick`). */
  quick: boolean;
  /** Profile the processes behind a figure (`--profile`) and add what costs most to its findings. */
  profile: boolean;
  log: (line: string) => void;
  /** A scaledeck.app label unique to this benchmark run: `<run id>-<suffix>`. */
  app: (suffix: string) => string;
}

/** Runs for a figure: the full count, or the quick one. */
export function runsFor(context: BenchContext, full: number, quick: number): number {
  return context.quick ? quick : full;
}
