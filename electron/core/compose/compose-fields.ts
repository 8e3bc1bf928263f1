// Typed reads of a Compose file's untyped values: each either gives the value or throws a ComposeFileError naming the key.
import { ComposeFileError } from './compose-plan-types.js';

export type YamlMap = Record<string, unknown>;

/** Where a value sits, for messages: the file, the service (when inside one) and the key path below it. */
export class FieldScope {
  /** `hostFiles` false: the file came from elsewhere (an API call), so it may name no file of this machine. */
  constructor(readonly file: string, readonly service?: string, readonly hostFiles = true) {}

  fail(key: string, problem: string): never {
    throw new ComposeFileError(this.file, key, problem, this.service);
  }

  forService(service: string): FieldScope {
    return new FieldScope(this.file, service, this.hostFiles);
  }
}

export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mapAt(scope: FieldScope, value: unknown, key: string): YamlMap {
  if (value === null || value === undefined) return {};
  if (!isMap(value)) scope.fail(key, `must be a mapping, not ${describe(value)}`);
  return value;
}

export function listAt(scope: FieldScope, value: unknown, key: string): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) scope.fail(key, `must be a list, not ${describe(value)}`);
  return value;
}

/** A scalar read as text, as Compose reads `"8080"` and `8080` alike; lists and mappings are refused. */
export function textAt(scope: FieldScope, value: unknown, key: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return scope.fail(key, `must be a string, not ${describe(value)}`);
}

/** A string, or a list of strings (`cap_add`, `profiles`, `tmpfs`, `dns`...). */
export function stringListAt(scope: FieldScope, value: unknown, key: string): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) return [textAt(scope, value, key) ?? ''];
  return value.map((item, i) => textAt(scope, item, `${key}.${i}`) ?? '');
}

export function boolAt(scope: FieldScope, value: unknown, key: string): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return scope.fail(key, `must be true or false, not ${describe(value)}`);
}

/** A whole number from a number or a numeric string (interpolation leaves numbers as text). */
export function integerAt(scope: FieldScope, value: unknown, key: string, min: number, max: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n)) return scope.fail(key, `must be a whole number, not ${describe(value)}`);
  if (n < min || n > max) return scope.fail(key, `must be from ${min} to ${max}, not ${n}`);
  return n;
}

/** `KEY=VALUE` lists and mappings read as one mapping; a list item without `=` maps to null (Compose's "unset"). */
export function keyValuesAt(scope: FieldScope, value: unknown, key: string, separator = '='): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const entry = textAt(scope, item, `${key}.${i}`) ?? '';
      const at = entry.indexOf(separator);
      setOwn(out, at < 0 ? entry : entry.slice(0, at), at < 0 ? null : entry.slice(at + 1));
    });
    return out;
  }
  for (const [name, item] of Object.entries(mapAt(scope, value, key))) {
    setOwn(out, name, item === null || item === undefined ? null : (textAt(scope, item, `${key}.${name}`) ?? null));
  }
  return out;
}

/** Sets a key as an own data property, so a key named `__proto__` is just a key. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}
