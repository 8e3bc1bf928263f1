// Specification of Compose's interpolation (${VAR}, defaults, required values, $$) and of the env files it reads from.
import { describe, expect, it } from 'vitest';
import { interpolateText, interpolateTree, InterpolationAt, InterpolationError } from '../../electron/core/compose/compose-interpolate.js';
import { EnvFileError, parseEnvFile } from '../../electron/core/compose/compose-env-file.js';

const vars: Record<string, string> = { SET: 'value', EMPTY: '', PORT: '8080' };
const lookup = (name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined);
const interpolate = (text: string) => interpolateText(text, lookup);

describe('interpolation', () => {
  it.each([
    ['${SET}', 'value'],
    ['$SET', 'value'],
    ['$SET-suffix', 'value-suffix'],
    ['${UNSET}', ''],
    ['${SET:-d}', 'value'],
    ['${EMPTY:-d}', 'd'],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${UNSET:-${SET}}', 'value'],
    ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep'],
    ['127.0.0.1:${PORT}:80', '127.0.0.1:8080:80'],
    ['$$HOME', '$HOME'],
    ['$${SET}', '${SET}'],
    ['cost: $5', 'cost: $5'],
    ['a $ sign', 'a $ sign'],
    ['${UNSET:-a}}', 'a}'],
  ])('%s -> %s', (text, expected) => {
    expect(interpolate(text)).toBe(expected);
  });

  it('refuses a required variable that is unset or empty, with the message given', () => {
    expect(() => interpolate('${UNSET:?set it}')).toThrow('required variable UNSET is not set: set it');
    expect(() => interpolate('${EMPTY:?set it}')).toThrow('required variable EMPTY is empty: set it');
    expect(interpolate('${EMPTY?set it}')).toBe('');
    expect(() => interpolate('${UNSET?}')).toThrow('required variable UNSET is not set');
  });

  it.each(['${', '${SET', '${}', '${1A}', '${SET/a/b}', '${SET:x}'])('refuses the malformed %s', (text) => {
    expect(() => interpolate(text)).toThrow(InterpolationError);
  });

  it('refuses nesting deep enough to exhaust the stack', () => {
    expect(() => interpolate(`${'${A:-'.repeat(5000)}x${'}'.repeat(5000)}`)).toThrow(/nests/);
  });

  it('interpolates values but not keys, and says where a variable was used unset', () => {
    const { root, unset } = interpolateTree({ services: { web: { environment: { $SET: '${UNSET}', B: '${SET}' }, replicas: 2 } } }, lookup);
    expect(root).toEqual({ services: { web: { environment: { $SET: '', B: 'value' }, replicas: 2 } } });
    expect(unset).toEqual([{ name: 'UNSET', path: ['services', 'web', 'environment', '$SET'] }]);
  });

  it('names the key path of a bad value', () => {
    let thrown: unknown;
    try {
      interpolateTree({ services: { web: { ports: ['${PORT', '80'] } } }, lookup);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InterpolationAt);
    expect((thrown as InterpolationAt).path).toEqual(['services', 'web', 'ports', '0']);
  });
});

describe('env files', () => {
  it('reads KEY=VALUE lines, comments, quotes, escapes and export as Compose does', () => {
    const text = [
      '# a comment',
      '',
      'PLAIN=value',
      'SPACED = padded  ',
      'COMMENTED=value # a comment',
      'HASH=value#not-a-comment',
      'DOUBLE="a # kept"  # dropped',
      "SINGLE='$PLAIN stays'",
      'ESCAPED="tab\\there \\"quoted\\""',
      "APOSTROPHE='Let\\'s go'",
      'export EXPORTED=yes',
      'EMPTY=',
      'UNSET_ONLY',
      'REFERS=${PLAIN}-${OUTER}',
      'MULTI="line one',
      'line two"',
    ].join('\n');
    expect(parseEnvFile(text, (name) => (name === 'OUTER' ? 'outer' : undefined))).toEqual({
      PLAIN: 'value',
      SPACED: 'padded',
      COMMENTED: 'value',
      HASH: 'value#not-a-comment',
      DOUBLE: 'a # kept',
      SINGLE: '$PLAIN stays',
      ESCAPED: 'tab\there "quoted"',
      APOSTROPHE: "Let's go",
      EXPORTED: 'yes',
      EMPTY: '',
      REFERS: 'value-outer',
      MULTI: 'line one\nline two',
    });
  });

  it('keeps every value as written in the raw format', () => {
    expect(parseEnvFile('A="quoted" # not a comment\nB=$HOME\n# comment', () => 'x', 'raw')).toEqual({ A: '"quoted" # not a comment', B: '$HOME' });
  });

  it('keeps an escaped dollar in double quotes literal', () => {
    expect(parseEnvFile('PRICE="\\$5 and $$6"')).toEqual({ PRICE: '$5 and $6' });
  });

  it('refuses a line that names no variable, and an unclosed quote, naming the line', () => {
    expect(() => parseEnvFile('OK=1\n1BAD=2')).toThrow(new EnvFileError('line 2: "1BAD" is not a variable name'));
    expect(() => parseEnvFile('A="open')).toThrow(/line 1: the value of A has no closing "/);
  });
});
