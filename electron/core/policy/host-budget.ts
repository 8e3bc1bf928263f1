// The host CPU budget (hostCpuBudget): the sum of every replica's CPU limit, over all services, stays within it. A
// scale-out that would pass it goes as far as the budget allows, and its reason says what holds the rest.

export interface ServiceCpu {
  name: string;
  /** Replicas it asks for (the desired count and its warm spares). */
  replicas: number;
  cpuLimit: number;
}

const cpus = (n: number) => n.toFixed(1);

/**
 * The most replicas `service` may go to on its way from `from` to `to` (`to` itself when the budget is off or allows
 * it), with the reason when that is less than `to`. `services` holds every service as it is now, this one included.
 */
export function withinHostBudget(
  service: string, from: number, to: number, budget: number, services: readonly ServiceCpu[],
): { allowed: number; reason: string | null } {
  if (budget <= 0 || to <= from) return { allowed: to, reason: null };
  const own = services.find((s) => s.name === service);
  if (!own) return { allowed: to, reason: null };
  const spares = Math.max(0, own.replicas - from);
  const inUse = services.reduce((sum, s) => sum + s.replicas * s.cpuLimit, 0);
  const others = inUse - own.replicas * own.cpuLimit;
  // A small epsilon: 4 x 0.5 in a budget of 2.0 fits, floating point or not.
  const fits = Math.floor((budget - others) / own.cpuLimit + 1e-9) - spares;
  const allowed = Math.max(from, Math.min(to, fits));
  if (allowed >= to) return { allowed: to, reason: null };
  const shares = services.filter((s) => s.replicas > 0).map((s) => `${s.name} ${s.replicas} x ${s.cpuLimit}`).join(', ');
  const held = allowed > from ? `held at ${allowed}` : 'held';
  return { allowed, reason: `${service} ${from} -> ${to} ${held}: host CPU budget ${cpus(inUse)} of ${cpus(budget)} in use (${shares})` };
}
