// Specification of the held-request count HAProxy's hold script answers: in all, and per backend.
import { describe, expect, it } from 'vitest';
import { parseHeld } from '../../../haproxy/request-hold.js';

describe('parseHeld', () => {
  it('reads the total, and each backend\'s own count, 0 for a backend holding none', () => {
    const answer = '5\nscaledeck 3\nsvc_api 2\n';
    expect(parseHeld(answer)).toBe(5);
    expect(parseHeld(answer, 'scaledeck')).toBe(3);
    expect(parseHeld(answer, 'svc_api')).toBe(2);
    expect(parseHeld(answer, 'svc_other')).toBe(0);
    expect(parseHeld('0\n', 'svc_api')).toBe(0);
  });

  it('gives the total to the one backend of a script from before per-backend counts', () => {
    expect(parseHeld('4\n', 'scaledeck')).toBe(4);
  });

  it('refuses an answer that is not a count', () => {
    expect(() => parseHeld('Unknown command\n')).toThrow(/expected a count/);
    expect(() => parseHeld('-1\n', 'scaledeck')).toThrow(/expected a count/);
  });
});
