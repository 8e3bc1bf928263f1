// Properties of the one owner of the replica count, over any sequence of commands: the range holds, a person's
// hand switches to manual, and what is persisted is what runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplicaTarget, type TargetStore } from '../../../electron/core/service/replica-target.js';
import { SettingsError, applySettingsPatch, defaultSettings, type Settings, type SettingsPatch } from '../../../electron/contract/settings-schema.js';
import { PROPERTY_TIMEOUT_MS, propertyRuns } from '../../support/property-seed.js';

/** The settings store's contract in memory: validated patches, a persisted count. */
class MemoryStore implements TargetStore {
  settings: Settings = { ...defaultSettings, minReplicas: 1, maxReplicas: 10 };
  desired: number | null = null;
  update(patch: SettingsPatch): Settings {
    this.settings = applySettingsPatch(this.settings, patch);
    return this.settings;
  }
  setDesired(n: number): void {
    this.desired = n;
  }
}

type Command =
  | { kind: 'scale'; n: number }
  | { kind: 'mode'; mode: Settings['mode'] }
  | { kind: 'range'; min: number; max: number }
  | { kind: 'removal' }
  | { kind: 'policy'; n: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('scale' as const), n: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ kind: fc.constant('mode' as const), mode: fc.constantFrom('auto' as const, 'manual' as const) }),
  fc.record({ kind: fc.constant('range' as const), min: fc.integer({ min: 0, max: 30 }), max: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('removal' as const) }),
  fc.record({ kind: fc.constant('policy' as const), n: fc.integer({ min: 0, max: 100 }) }),
);

function run(commands: Command[]) {
  const store = new MemoryStore();
  const applied: number[] = [];
  let policyResets = 0;
  const target = new ReplicaTarget({
    store,
    onEvent: () => undefined,
    apply: (n) => applied.push(n),
    onModeChanged: () => (policyResets += 1),
  });
  const check = (after: Command) => {
    const { minReplicas, maxReplicas } = store.settings;
    expect(target.desired).toBeGreaterThanOrEqual(minReplicas);
    expect(target.desired).toBeLessThanOrEqual(maxReplicas);
    expect(store.desired).toBe(target.desired);
    if (applied.length > 0) expect(applied.at(-1)).toBe(target.desired);
    if (after.kind === 'scale' || after.kind === 'removal') expect(target.mode).toBe('manual');
  };
  for (const c of commands) {
    switch (c.kind) {
      case 'scale':
        target.scale(c.n, { kind: 'manual' });
        break;
      case 'mode':
        target.setMode(c.mode);
        expect(target.mode).toBe(c.mode);
        break;
      case 'range': {
        const before = store.settings;
        try {
          store.update({ minReplicas: c.min, maxReplicas: c.max });
        } catch (error) {
          if (!(error instanceof SettingsError)) throw error;
          break;
        }
        target.settingsChanged(before, store.settings);
        break;
      }
      case 'removal':
        target.scale(target.desired - 1, { kind: 'removal', replica: 'r' });
        break;
      case 'policy':
        target.scale(c.n, { kind: 'policy', reason: 'test' });
        break;
    }
    check(c);
  }
  return { policyResets };
}

describe('ReplicaTarget', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('keeps min <= desired <= max, manual after a manual action, and the persisted count equal to the live one', () => {
    fc.assert(fc.property(fc.array(command, { maxLength: 60 }), (commands) => void run(commands)), propertyRuns(1000));
  });

  it('resets the policy on every change of mode, and only then', () => {
    fc.assert(fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
      let mode: Settings['mode'] = 'auto';
      let changes = 0;
      for (const c of commands) {
        const next: Settings['mode'] = c.kind === 'mode' ? c.mode : c.kind === 'scale' || c.kind === 'removal' ? 'manual' : mode;
        if (next !== mode) changes += 1;
        mode = next;
      }
      expect(run(commands).policyResets).toBe(changes);
    }), propertyRuns(1000));
  });

  it('ignores every change once it is draining for shutdown, and leaves the persisted count alone', () => {
    const store = new MemoryStore();
    const applied: number[] = [];
    const target = new ReplicaTarget({ store, onEvent: () => undefined, apply: (n) => applied.push(n), onModeChanged: () => undefined });
    target.scale(4, { kind: 'manual' });
    target.drainAll();
    target.scale(7, { kind: 'policy', reason: 'late sample' });
    target.setMode('auto');
    expect(applied).toEqual([4, 0]);
    expect(store.desired).toBe(4);
    expect(target.mode).toBe('manual');
  });
});
