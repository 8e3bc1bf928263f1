// How a threshold slider reads for each metric: its range and its unit ("70%", "200 req/s", "150 ms").
import type { ScalingRule } from '../electron/contract/contract.js';

export function thresholdScale(metric: ScalingRule['metric'], upThreshold: number): { max: number; format: (value: number) => string } {
  switch (metric) {
    case 'rps-per-replica':
      return { max: Math.max(1000, upThreshold), format: (value) => `${value} req/s` };
    case 'latency-p95':
      return { max: Math.max(2000, upThreshold), format: (value) => `${value} ms` };
    default:
      return { max: 100, format: (value) => `${value}%` };
  }
}
