// How Swarm's UpdateStatus reads as ScaleDeck's view of an engine update.
import { describe, expect, it } from 'vitest';
import { describeEngineUpdate, engineUpdateOf, gaveUp, isUnderWay } from '../../../electron/core/replicas/swarm/rolling-update.js';

const status = (State: string, Message = '') => ({ UpdateStatus: { State, Message, StartedAt: '2026-11-29T12:41:57.536412096Z' } });

describe('engineUpdateOf', () => {
  it('is null for a service never updated', () => {
    expect(engineUpdateOf({ UpdateStatus: undefined })).toBeNull();
    expect(engineUpdateOf(undefined)).toBeNull();
  });

  it('keeps the state, the message and the start, which tells one update from the next', () => {
    expect(engineUpdateOf(status('updating', 'update in progress'))).toEqual({ state: 'updating', message: 'update in progress', startedAt: '2026-11-29T12:41:57.536412096Z' });
  });

  it.each([
    ['updating', true, false],
    ['completed', false, false],
    ['paused', false, true],
    ['rollback_started', true, true],
    ['rollback_paused', false, true],
    ['rollback_completed', false, true],
  ])('%s: under way %s, gave up %s', (state, underWay, failed) => {
    const update = engineUpdateOf(status(state));
    expect(isUnderWay(update)).toBe(underWay);
    expect(gaveUp(update)).toBe(failed);
  });

  it('says what Swarm did with its own message', () => {
    const update = engineUpdateOf(status('rollback_completed', 'rollback completed'))!;
    expect(describeEngineUpdate(update)).toBe('Swarm rolled the update back: the old tasks serve (rollback completed)');
    expect(describeEngineUpdate(engineUpdateOf(status('rollback_started', 'update rolled back due to failure or early termination of task x'))!)).toMatch(/^Swarm is rolling the update back \(update rolled back due to failure/);
  });
});
