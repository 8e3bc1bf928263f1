// What any command's input may look like before a schema reads it: no key that reaches a prototype, bounded nesting.

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** No command's input nests deeper than this (a what-if patch's rules are 4 levels); deeper input is refused unread. */
export const MAX_INPUT_DEPTH = 16;

/**
 * What makes an input unreadable before any schema sees it: a key that reaches a prototype, at any depth (JSON.parse
 * makes `__proto__` an own key), or a value nested deeper than MAX_INPUT_DEPTH. Walks breadth-first without
 * recursion, so hostile nesting costs one pass and no stack. `field` is the dotted path to the offending place.
 */
export function inputShapeProblem(value: unknown): { field: string; problem: string } | undefined {
  let level: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  for (let depth = 0; level.length > 0; depth++) {
    const next: typeof level = [];
    for (const node of level) {
      if (typeof node.value !== 'object' || node.value === null) continue;
      if (depth >= MAX_INPUT_DEPTH) {
        return { field: node.path.join('.'), problem: `nested deeper than ${MAX_INPUT_DEPTH} levels` };
      }
      for (const key of Object.keys(node.value)) {
        const path = [...node.path, key];
        if (RESERVED_KEYS.has(key)) return { field: path.join('.'), problem: 'is not allowed as a key' };
        next.push({ value: (node.value as Record<string, unknown>)[key], path });
      }
    }
    level = next;
  }
  return undefined;
}

/** The first bracket depth past `max` in JSON text (strings skipped), checked before JSON.parse builds anything. */
export function jsonNestingPastLimit(text: string, max = MAX_INPUT_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
