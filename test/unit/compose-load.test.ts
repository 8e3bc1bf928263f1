// Specification of loading: YAML with anchors and merge keys read into a mapping; too big, malformed and alias bombs refused.
import { describe, expect, it } from 'vitest';
import { loadCompose, MAX_COMPOSE_BYTES } from '../../electron/core/compose/compose-load.js';
import { ComposeFileError } from '../../electron/core/compose/compose-plan-types.js';

describe('loading a Compose file', () => {
  it('expands anchors and merge keys, later keys winning', () => {
    const root = loadCompose('x-env: &env {A: "1", B: "2"}\nservices:\n  web:\n    environment:\n      <<: *env\n      B: "3"\n', 'compose.yaml');
    expect(root).toEqual({ 'x-env': { A: '1', B: '2' }, services: { web: { environment: { A: '1', B: '3' } } } });
  });

  it('keeps a __proto__ key as a plain key', () => {
    const root = loadCompose('services:\n  __proto__: {image: a/b}\n', 'compose.yaml');
    expect(Object.getPrototypeOf(root.services)).toBe(Object.prototype);
    expect(Object.keys(root.services as object)).toEqual(['__proto__']);
  });

  it('refuses a file over 1 MiB by its size, before parsing it', () => {
    const tooBig = `[${'x'.repeat(MAX_COMPOSE_BYTES)}`;
    expect(() => loadCompose(tooBig, 'big.yaml')).toThrow(new ComposeFileError('big.yaml', '(file)', `is ${MAX_COMPOSE_BYTES + 1} bytes; a Compose file ScaleDeck reads may be 1 MiB (1048576 bytes) at most`));
  });

  it('refuses malformed YAML with its line', () => {
    expect(() => loadCompose('services:\n  web:\n    image: "unclosed\n', 'compose.yaml')).toThrow(/compose.yaml: line \d+: is not valid YAML/);
  });

  it('refuses hostile nesting, whether the parser or the depth check meets it first', () => {
    expect(() => loadCompose(`services:\n  web: ${'['.repeat(40)}${']'.repeat(40)}\n`, 'deep.yaml')).toThrow(/deep.yaml: services.web(.0)+: nests deeper than ScaleDeck reads \(32 levels at most\)/);
    expect(() => loadCompose(`services:\n  web: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, 'deep.yaml')).toThrow(/deep.yaml: (line 2|services.web(.0)+): nests deeper than ScaleDeck reads/);
  });

  it('refuses a billion-laughs alias bomb quickly instead of expanding it', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(10).fill(`*${'abcdefghi'[i - 1]}`).join(',')}]`);
    expect(() => loadCompose(`${levels.join('\n')}\nservices: {}\n`, 'bomb.yaml')).toThrow(/bomb.yaml: \(file\): cannot be read: .*alias/i);
  });
});
