// A service's `volumes:` (short "src:dst:ro" and long syntax) read into mounts that say whether they can hold state.
import { boolAt, describe, FieldScope, isMap, listAt, textAt } from './compose-fields.js';

export interface VolumeMount {
  /** `bind`, `volume` (named, or anonymous without a source), `tmpfs`, or another type Compose knows (`image`, `npipe`...). */
  type: string;
  /** A host path for a bind (as written, relative to the project folder), a volume's name. */
  source?: string;
  target: string;
  readOnly: boolean;
  /** Its place in the file, for messages. */
  key: string;
}

export function readVolumes(scope: FieldScope, value: unknown): VolumeMount[] {
  return listAt(scope, value, 'volumes').map((item, i) => {
    const key = `volumes.${i}`;
    if (isMap(item)) return longVolume(scope, item, key);
    if (typeof item !== 'string') return scope.fail(key, `must be "source:target[:mode]" or a mapping, not ${describe(item)}`);
    return shortVolume(scope, item, key);
  });
}

function longVolume(scope: FieldScope, item: Record<string, unknown>, key: string): VolumeMount {
  const type = textAt(scope, item.type, `${key}.type`) ?? 'volume';
  const target = textAt(scope, item.target, `${key}.target`);
  if (!target) scope.fail(`${key}.target`, 'is required: the path in the container');
  const source = textAt(scope, item.source, `${key}.source`) || undefined;
  if (type === 'bind' && source === undefined) scope.fail(`${key}.source`, 'is required for a bind mount: the path on the host');
  return { type, source, target, readOnly: boolAt(scope, item.read_only, `${key}.read_only`) ?? false, key };
}

function shortVolume(scope: FieldScope, text: string, key: string): VolumeMount {
  const parts = splitShort(text);
  if (parts.length === 0 || parts.length > 3 || parts.some((part, i) => part === '' && i < 2)) {
    scope.fail(key, `"${text.slice(0, 60)}" is not "source:target[:mode]" or a container path`);
  }
  if (parts.length === 1) return { type: 'volume', target: parts[0] as string, readOnly: false, key };
  const [source, target, mode = ''] = parts as [string, string, string?];
  const readOnly = mode.split(',').includes('ro');
  return { type: isHostPath(source) ? 'bind' : 'volume', source, target, readOnly, key };
}

/** Splits on `:` but keeps a Windows drive (`C:\data`) whole. */
function splitShort(text: string): string[] {
  const drive = /^[a-zA-Z]:[\\/]/.test(text) ? text.slice(0, 2) : '';
  const parts = text.slice(drive.length).split(':');
  parts[0] = drive + parts[0];
  return parts;
}

/** Compose reads a source as a host path when it looks like one; anything else names a volume. */
export function isHostPath(source: string): boolean {
  return /^([./~]|[a-zA-Z]:[\\/]|\\\\)/.test(source);
}
