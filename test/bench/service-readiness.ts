// Whether every service of a run has its replicas ready, and whether those replicas stayed the same over a window:
// read from `GET /api/services`, so a figure measures a steady state and can say when it was not one.
import type { ServiceView } from '../../electron/contract/contract.js';

type ServiceReplicas = Pick<ServiceView, 'name'> & { replicas: ReadonlyArray<Pick<ServiceView['replicas'][number], 'id' | 'state'>> };

/** What still keeps `names` from each having exactly `count` replicas, all ready, in words; null when nothing does. */
export function notReadyYet(views: readonly ServiceReplicas[], names: readonly string[], count: number): string | null {
  const missing: string[] = [];
  for (const name of names) {
    const view = views.find((v) => v.name === name);
    if (!view) {
      missing.push(`${name} not listed`);
      continue;
    }
    const ready = view.replicas.filter((r) => r.state === 'ready').length;
    if (ready !== count || view.replicas.length !== count) missing.push(`${name} ${ready} of ${count} ready (${view.replicas.length} in all)`);
  }
  return missing.length === 0 ? null : missing.join(', ');
}

/** Every replica's id, by service: taken before and after a window to see whether any came or went. */
export function replicaIds(views: readonly ServiceReplicas[]): string[] {
  return views.flatMap((view) => view.replicas.map((r) => `${view.name}/${r.id}`)).sort();
}

/**
 * The replicas that came or went between two listings, in words; null when they are the same. A replica that exited
 * in the window and was waited for would add its CPU to the shell's children, so a window with turnover is flagged.
 */
export function replicaTurnover(before: readonly string[], after: readonly string[]): string | null {
  const gone = before.filter((id) => !after.includes(id));
  const came = after.filter((id) => !before.includes(id));
  if (gone.length === 0 && came.length === 0) return null;
  return [gone.length ? `gone: ${gone.join(', ')}` : '', came.length ? `new: ${came.join(', ')}` : ''].filter(Boolean).join('; ');
}
