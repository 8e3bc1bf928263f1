// The settings file as an app of one service sees it: the global settings with the first service's, and its count.
import { readFileSync } from 'node:fs';

interface StoredFile {
  settings?: Record<string, unknown>;
  services?: { name: string; settings?: Record<string, unknown>; desired?: number }[];
}

export function readSettingsFile(file: string): { settings: Record<string, unknown>; desired?: number; file: StoredFile } {
  const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredFile;
  const first = stored.services?.[0];
  return { settings: { ...stored.settings, ...first?.settings }, desired: first?.desired, file: stored };
}
