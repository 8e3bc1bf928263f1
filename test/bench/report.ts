// Writes the results: a markdown table for people, results/latest.json for machines and later comparisons.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MachineInfo } from './machine.js';
import type { FigureResult, FigureRow } from './summary.js';

export interface BenchResults {
  startedAt: string;
  durationS: number;
  quick: boolean;
  machine: MachineInfo;
  figures: FigureResult[];
  /** Figures that could not run, with the reason. */
  failures: Array<{ id: string; error: string }>;
}

function formatValue(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toFixed(digits);
  return unit === '' ? text : `${text} ${unit}`;
}

function cells(row: FigureRow): string[] {
  const spread = row.spread;
  const goal = row.goal ? `${row.goal.met ? 'met' : '**missed**'} (${row.goal.text})` : '';
  const values = spread
    ? [formatValue(spread.median, row.unit), formatValue(spread.min, row.unit), formatValue(spread.max, row.unit), String(spread.runs)]
    : ['n/a', '', '', '0'];
  return [row.figure, row.subject, row.measure, ...values, goal, row.note ?? ''];
}

export function markdownTable(results: BenchResults): string {
  const head = ['figure', 'subject', 'measure', 'median', 'min', 'max', 'runs', 'goal', 'note'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const figure of results.figures) {
    for (const row of figure.rows) lines.push(`| ${cells(row).map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`);
  }
  const m = results.machine;
  const machine = `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryMb} MB, ${m.os}, Node ${m.node}, Docker ${m.docker ?? 'missing'}, ` +
    `HAProxy ${m.haproxy ?? 'missing'}, ${m.chromium ?? 'no Chromium'}, load average ${m.loadAverage1m} at start. ${results.quick ? 'Quick run. ' : ''}` +
    `Took ${Math.round(results.durationS)} s.`;
  const findings = results.figures.flatMap((figure) => figure.findings.map((finding) => `- ${figure.title}: ${finding}`));
  const failures = results.failures.map((failure) => `- ${failure.id} did not run: ${failure.error}`);
  return [machine, '', ...lines, ...(findings.length ? ['', ...findings] : []), ...(failures.length ? ['', ...failures] : [])].join('\n');
}

export function writeResults(results: BenchResults, folder: string): string {
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'latest.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
