// The parameters every property test runs with: the run's seed (printed once, replayable) and a number of cases.
import { inject } from 'vitest';
import { chooseSeed, seedLine } from './property-seed-choice.js';

declare module 'vitest' {
  export interface ProvidedContext {
    fcSeed: number;
  }
}

let ownSeed: number | undefined;

/** The seed the unit project's global setup chose; a file run outside that setup chooses and prints its own, once. */
function runSeed(): number {
  const provided = inject('fcSeed');
  if (provided !== undefined) return provided;
  if (ownSeed === undefined) {
    const chosen = chooseSeed();
    console.log(seedLine(chosen));
    ownSeed = chosen.seed;
  }
  return ownSeed;
}

/** Hundreds of cases take seconds on a loaded machine, where vitest's default 5 s once timed out a passing property. */
export const PROPERTY_TIMEOUT_MS = 30_000;

/** fast-check's parameters for one property; its failure report names the seed, as does the line printed at start. */
export function propertyRuns(numRuns: number): { seed: number; numRuns: number } {
  return { seed: runSeed(), numRuns };
}
