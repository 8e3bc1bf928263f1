// What of a rollout survives a restart, and where it is kept: a file in the data folder, or memory in tests.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ReplicaSpec } from '../replicas/replica-driver.js';
import { PRIVATE_FILE_MODE } from '../private-data-folder.js';

/** What survives a restart: the specs on both sides (the old one is what a rollback restores) and a pause. */
export interface RolloutRecord {
  from: ReplicaSpec | null;
  to: ReplicaSpec;
  startedAt: number;
  total: number;
  paused: string | null;
}

export interface RolloutRecordStore {
  load(): RolloutRecord | null;
  save(record: RolloutRecord): void;
}

/** One JSON file in the data folder, written whole then renamed, so a crash leaves the old record or the new one. */
export function rolloutRecordFile(dataDir: string): RolloutRecordStore {
  const file = path.join(dataDir, 'rollout.json');
  return {
    load() {
      try {
        const record = JSON.parse(readFileSync(file, 'utf8')) as RolloutRecord;
        return typeof record.to?.image === 'string' ? record : null;
      } catch {
        return null;
      }
    },
    save(record) {
      writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: PRIVATE_FILE_MODE });
      renameSync(`${file}.tmp`, file);
    },
  };
}

/** A store that forgets on restart (unit tests, or when no data folder is at hand). */
export function rolloutRecordInMemory(): RolloutRecordStore & { record: RolloutRecord | null } {
  return {
    record: null,
    load() {
      return this.record;
    },
    save(record) {
      this.record = record;
    },
  };
}
