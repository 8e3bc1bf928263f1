// The fast-check seed a test run uses: a fresh one unless the environment names one to replay, which must be valid.
import { describe, expect, it } from 'vitest';
import { chooseSeed, seedLine } from '../../support/property-seed-choice.js';

describe('the property seed', () => {
  it('is fresh and 32-bit when the environment names none', () => {
    expect(chooseSeed({}, () => 0.75)).toEqual({ seed: -(2 ** 30), fromEnvironment: false });
    expect(chooseSeed({ SCALEDECK_FC_SEED: ' ' }, () => 0.25)).toEqual({ seed: 2 ** 30, fromEnvironment: false });
  });

  it('replays the seed a failure printed, negative ones included', () => {
    expect(chooseSeed({ SCALEDECK_FC_SEED: '-2066402233' })).toEqual({ seed: -2066402233, fromEnvironment: true });
    expect(chooseSeed({ SCALEDECK_FC_SEED: '42' })).toEqual({ seed: 42, fromEnvironment: true });
  });

  it('refuses a seed that is not a 32-bit integer, naming the variable', () => {
    for (const bad of ['abc', '1.5', '99999999999', '0x']) {
      expect(() => chooseSeed({ SCALEDECK_FC_SEED: bad })).toThrow(/SCALEDECK_FC_SEED must be a 32-bit integer/);
    }
  });

  it('prints how to replay a fresh seed, and says when it replays one', () => {
    expect(seedLine({ seed: 7, fromEnvironment: false })).toContain('SCALEDECK_FC_SEED=7');
    expect(seedLine({ seed: 7, fromEnvironment: true })).toBe('[fast-check] replaying seed 7 from SCALEDECK_FC_SEED');
  });
});
