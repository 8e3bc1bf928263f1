// Which fast-check seed a test run uses, and the line that prints it: the one named in the environment, or a fresh one.
export const SEED_VARIABLE = 'SCALEDECK_FC_SEED';

export interface ChosenSeed {
  seed: number;
  fromEnvironment: boolean;
}

/** A malformed seed fails loudly: running unseeded instead would silently not replay the failure asked for. */
export function chooseSeed(env: NodeJS.ProcessEnv = process.env, random: () => number = Math.random): ChosenSeed {
  const named = env[SEED_VARIABLE]?.trim();
  if (named === undefined || named === '') return { seed: (random() * 2 ** 32) | 0, fromEnvironment: false };
  const seed = Number(named);
  if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32) {
    throw new Error(`${SEED_VARIABLE} must be a 32-bit integer (the seed a failed property printed), got "${named}"`);
  }
  return { seed: seed | 0, fromEnvironment: true };
}

export function seedLine({ seed, fromEnvironment }: ChosenSeed): string {
  return fromEnvironment
    ? `[fast-check] replaying seed ${seed} from ${SEED_VARIABLE}`
    : `[fast-check] seed ${seed}; a failure replays with ${SEED_VARIABLE}=${seed}`;
}
