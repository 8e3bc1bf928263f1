// The interpolation pass: `${VAR}`, `$VAR`, defaults, required values and `$$` in every string value, as Compose does.
import { isMap, setOwn, type YamlMap } from './compose-fields.js';

/** `${...}` whose inside Compose cannot read, or a required variable left unset: the message, without file or key. */
export class InterpolationError extends Error {}

export type Lookup = (name: string) => string | undefined;

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;
const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;
/** Nested `${...}` inside defaults is allowed; this bounds how deep, so hostile text cannot exhaust the stack. */
const MAX_NESTING = 32;

/** Interpolates one string; `unset` hears each variable that was used unset and had no default. */
export function interpolateText(text: string, lookup: Lookup, unset: (name: string) => void = () => {}, depth = 0): string {
  if (depth > MAX_NESTING) throw new InterpolationError(`nests \${...} more than ${MAX_NESTING} deep`);
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) return out + text.slice(i);
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const end = closingBrace(text, dollar + 2);
      if (end < 0) throw new InterpolationError(`has "\${" without a closing "}" in "${excerpt(text)}"`);
      out += braced(text.slice(dollar + 2, end), lookup, unset, depth);
      i = end + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      // A `$` not followed by a name is kept as it is, as Compose keeps it.
      if (name === undefined) {
        out += '$';
        i = dollar + 1;
      } else {
        out += valueOf(name, lookup, unset);
        i = dollar + 1 + name.length;
      }
    }
  }
  return out;
}

function braced(inner: string, lookup: Lookup, unset: (name: string) => void, depth: number): string {
  const name = NAME.exec(inner)?.[0];
  if (name === undefined) throw new InterpolationError(`has an invalid variable name in "\${${excerpt(inner)}}"`);
  const rest = inner.slice(name.length);
  if (rest === '') return valueOf(name, lookup, unset);
  const operator = OPERATORS.find((op) => rest.startsWith(op));
  if (operator === undefined) throw new InterpolationError(`has an invalid substitution "\${${excerpt(inner)}}" (supported: :- - :? ? :+ +)`);
  const operand = () => interpolateText(rest.slice(operator.length), lookup, unset, depth + 1);
  const value = lookup(name);
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  switch (operator) {
    case ':-': return nonEmpty ? value : operand();
    case '-': return set ? value : operand();
    case ':+': return nonEmpty ? operand() : '';
    case '+': return set ? operand() : '';
    case ':?':
    case '?': {
      if (operator === ':?' ? nonEmpty : set) return value as string;
      const reason = operand();
      throw new InterpolationError(`required variable ${name} is ${set ? 'empty' : 'not set'}${reason ? `: ${reason}` : ''}`);
    }
  }
}

function valueOf(name: string, lookup: Lookup, unset: (name: string) => void): string {
  const value = lookup(name);
  if (value === undefined) unset(name);
  return value ?? '';
}

/** The index of the `}` closing a `${` whose inside starts at `from`, counting nested `${...}`; -1 when none. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '$') i++;
    else if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

const excerpt = (text: string) => (text.length > 60 ? `${text.slice(0, 60)}…` : text);

/** Where in the file an unset variable was used: the service (when one) and the key path. */
export interface UnsetUse {
  name: string;
  path: string[];
}

/**
 * Interpolates every string value of the file (keys are left as they are, as Compose leaves them). Throws
 * InterpolationError with `path` set to where the bad text is.
 */
export function interpolateTree(root: YamlMap, lookup: Lookup): { root: YamlMap; unset: UnsetUse[] } {
  const unset: UnsetUse[] = [];
  const walk = (value: unknown, path: string[]): unknown => {
    if (typeof value === 'string') {
      try {
        return interpolateText(value, lookup, (name) => unset.push({ name, path }));
      } catch (e) {
        if (e instanceof InterpolationError) throw new InterpolationAt(path, e.message);
        throw e;
      }
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, String(i)]));
    if (isMap(value)) {
      const out: YamlMap = {};
      for (const [key, item] of Object.entries(value)) setOwn(out, key, walk(item, [...path, key]));
      return out;
    }
    return value;
  };
  return { root: walk(root, []) as YamlMap, unset };
}

/** An interpolation problem and the key path it is at. */
export class InterpolationAt extends Error {
  constructor(readonly path: string[], message: string) {
    super(message);
  }
}
