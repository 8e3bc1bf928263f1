// Reads a V8 CPU profile (node --cpu-prof, or CDP Profiler in Chromium) and says where the busy time went:
// self time by file and by function, and inclusive time by file (a file's code and everything it called).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface CallFrame {
  functionName: string;
  url: string;
  /** Zero-based, as V8 reports them. */
  lineNumber: number;
  columnNumber: number;
}

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives, as a reader would name it: its file, line, and package (or repository folder). */
export type FrameLocator = (frame: CallFrame) => { file: string; line: number; pkg: string };

export interface ProfileShare {
  name: string;
  ms: number;
  /** % of the busy (non-idle) time. */
  percent: number;
}

export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  selfByPackage: ProfileShare[];
  selfByFile: ProfileShare[];
  selfByFunction: ProfileShare[];
  inclusiveByFile: ProfileShare[];
  inclusiveByPackage: ProfileShare[];
}

export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** Names a script URL by its package (node_modules/<name>) or its path inside the repository. */
export function shortScriptName(url: string, repoRoot: string): string {
  if (url === '') return '(native)';
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const inside = file.slice(modules + 'node_modules/'.length).split('/');
    return inside.slice(0, inside[0]?.startsWith('@') ? 2 : 1).join('/');
  }
  if (file.startsWith(repoRoot)) return path.relative(repoRoot, file);
  return file.startsWith('node:') ? file : path.basename(file);
}

/** V8's own entries ("(program)", "(garbage collector)") keep their names; other frames without a script are native code. */
export function nativeName(frame: CallFrame): string {
  return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
}

export const repoFileLocator = (repoRoot: string): FrameLocator => (frame) => {
  const file = frame.url === '' ? nativeName(frame) : shortScriptName(frame.url, repoRoot);
  return { file, line: frame.lineNumber + 1, pkg: file.includes('/') ? path.dirname(file) : file };
};

function top(totals: Map<string, number>, busyMs: number, count: number): ProfileShare[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms, percent: (ms / busyMs) * 100 }));
}

const add = (totals: Map<string, number>, key: string, ms: number) => totals.set(key, (totals.get(key) ?? 0) + ms);

/** Counts only the samples taken between `fromMs` and `toMs` after the profile started, when given. */
export interface ProfileRange {
  fromMs: number;
  toMs: number;
}

export function summarizeCpuProfile(profile: CpuProfile, locate: FrameLocator, count = 8, range?: ProfileRange): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const where = new Map(profile.nodes.map((node) => [node.id, locate(node.callFrame)]));
  const selfByPackage = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusiveByFile = new Map<string, number>();
  const inclusiveByPackage = new Map<string, number>();
  let busyMs = 0;
  let atMs = 0;
  profile.samples.forEach((id, index) => {
    // A sample's delta is the time since the previous one: it belongs to the node sampled now.
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    atMs += ms;
    if (range && (atMs < range.fromMs || atMs > range.toMs)) return;
    const frame = byId.get(id)?.callFrame;
    const place = where.get(id);
    if (!frame || !place || frame.functionName === '(idle)') return;
    busyMs += ms;
    add(selfByPackage, place.pkg, ms);
    add(selfByFile, place.file, ms);
    add(selfByFunction, `${frame.functionName || '(anonymous)'} ${place.file}${frame.url ? `:${place.line}` : ''}`, ms);
    // Each file or package counts once per sample, however deep it recurses.
    const files = new Set<string>();
    const packages = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
      const at = where.get(node);
      if (!at || at.file.startsWith('(')) continue;
      files.add(at.file);
      packages.add(at.pkg);
    }
    for (const file of files) add(inclusiveByFile, file, ms);
    for (const pkg of packages) add(inclusiveByPackage, pkg, ms);
  });
  return {
    wallMs: range ? range.toMs - range.fromMs : (profile.endTime - profile.startTime) / 1000,
    busyMs,
    selfByPackage: top(selfByPackage, busyMs, count),
    selfByFile: top(selfByFile, busyMs, count),
    selfByFunction: top(selfByFunction, busyMs, count),
    inclusiveByFile: top(inclusiveByFile, busyMs, count),
    inclusiveByPackage: top(inclusiveByPackage, busyMs, count),
  };
}

export function describeProfile(summary: ProfileSummary): string {
  const list = (shares: ProfileShare[]) => shares.map((share) => `${share.name} ${share.percent.toFixed(0)} %`).join(', ');
  return `busy ${(summary.busyMs / 1000).toFixed(2)} s of ${(summary.wallMs / 1000).toFixed(0)} s; ` +
    `self time by package: ${list(summary.selfByPackage)}; including callees: ${list(summary.inclusiveByPackage)}; ` +
    `hottest functions: ${list(summary.selfByFunction.slice(0, 5))}`;
}

/**
 * Busy time of the samples whose stack holds a frame from one of `files` (each sample counted once), ms: the CPU a
 * piece of work costs with everything it called, its awaited continuations included, since each resumes in its own frame.
 */
export function inclusiveMsOfFiles(profile: CpuProfile, locate: FrameLocator, files: readonly string[], range?: ProfileRange): number {
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const inFiles = new Map(profile.nodes.map((node) => [node.id, files.some((file) => locate(node.callFrame).file.endsWith(file))]));
  let [totalMs, atMs] = [0, 0];
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    atMs += ms;
    if (range && (atMs < range.fromMs || atMs > range.toMs)) return;
    for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
      if (inFiles.get(node)) {
        totalMs += ms;
        return;
      }
    }
  });
  return totalMs;
}
