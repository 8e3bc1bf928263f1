// What an input may look like before any schema reads it: no reserved keys, bounded nesting, checked without recursion.
import { describe, expect, it } from 'vitest';
import { parseCommandInput } from '../../../electron/contract/contract.js';
import { inputShapeProblem, jsonNestingPastLimit, MAX_INPUT_DEPTH } from '../../../electron/contract/input-shape.js';
import { foreignAddressProblem } from '../../../electron/core/local-addresses.js';

const nestedObject = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('input shape', () => {
  it('names a reserved key at any depth', () => {
    expect(inputShapeProblem(JSON.parse('{"rules": [{"__proto__": {"x": 1}}]}'))).toEqual({ field: 'rules.0.__proto__', problem: 'is not allowed as a key' });
  });

  it('accepts nesting up to the limit and names the place just past it', () => {
    expect(inputShapeProblem(nestedObject(MAX_INPUT_DEPTH))).toBeUndefined();
    const problem = inputShapeProblem(nestedObject(MAX_INPUT_DEPTH + 1));
    expect(problem?.problem).toBe(`nested deeper than ${MAX_INPUT_DEPTH} levels`);
    expect(problem?.field.split('.')).toHaveLength(MAX_INPUT_DEPTH);
  });

  it('walks 100,000 levels without running out of stack', () => {
    expect(inputShapeProblem(nestedObject(100_000))?.problem).toMatch(/nested deeper/);
  });

  it('finds deep JSON text before parsing it, skipping brackets inside strings', () => {
    expect(jsonNestingPastLimit('['.repeat(30_000) + ']'.repeat(30_000))).toBe(true);
    expect(jsonNestingPastLimit(JSON.stringify({ text: '['.repeat(1000), escaped: '\\"[[[[' }))).toBe(false);
    expect(jsonNestingPastLimit(JSON.stringify(nestedObject(MAX_INPUT_DEPTH - 1)))).toBe(false);
    expect(jsonNestingPastLimit(JSON.stringify(nestedObject(MAX_INPUT_DEPTH + 1)))).toBe(true);
  });

  it('refuses fields sent to a command that takes no input, and accepts none or {}', () => {
    expect(parseCommandInput('recheck', undefined)).toEqual({ ok: true, value: undefined });
    expect(parseCommandInput('recheck', {})).toEqual({ ok: true, value: undefined });
    expect(parseCommandInput('recheck', { force: true })).toMatchObject({ ok: false, field: 'force' });
    expect(parseCommandInput('stopLoad', 5)).toMatchObject({ ok: false, field: 'input' });
  });

  it('names a misspelt field before the missing one it leaves', () => {
    expect(parseCommandInput('whatIf', { pach: {} })).toMatchObject({ ok: false, field: 'pach' });
  });
});

describe('frontend addresses this machine owns', () => {
  const addresses = ['127.0.0.1', '10.1.2.3', '::1', 'fe80::1%eth0'];
  it.each(['127.0.0.1', '127.0.0.2', 'localhost', '::1', '0.0.0.0', '::', '10.1.2.3', 'fe80::1'])('accepts %s', (host) => {
    expect(foreignAddressProblem(host, addresses)).toBeUndefined();
  });
  it.each(['192.0.2.1', '10.1.2.4', '2001:db8::1'])('refuses %s, listing the addresses it could use', (host) => {
    expect(foreignAddressProblem(host, addresses)).toMatch(new RegExp(`^${host} is not an address of this machine .*10\\.1\\.2\\.3`));
  });
});
