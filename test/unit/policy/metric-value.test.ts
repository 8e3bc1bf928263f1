// Specification of the three metrics the policy scales on, warm-up exclusion, missing readings and number formatting.
import { describe, expect, it } from 'vitest';
import { describeMetric, formatNumber, metricValue, type PolicyReplica } from '../../../electron/core/policy.js';
import { policySettings, T0 } from './simulated-clock.js';

const replica = (state: PolicyReplica['state'], ageS: number, cpuPercent: number | null): PolicyReplica =>
  ({ state, startedAt: T0 - ageS * 1000, cpuPercent });

describe('replica-cpu metric', () => {
  const settings = policySettings({ metric: 'replica-cpu', warmupS: 10 });

  it('is the mean CPU of ready replicas', () => {
    const replicas = [replica('ready', 60, 80), replica('ready', 60, 40), replica('ready', 60, 90)];
    expect(metricValue({ hostCpu: 5, rps: 1, replicas }, settings, T0)).toEqual({ value: 70, label: 'replica CPU' });
  });

  it('leaves out replicas younger than warmupS, so a cold start does not over-scale', () => {
    const replicas = [replica('ready', 60, 40), replica('ready', 9.999, 100), replica('ready', 10, 60)];
    expect(metricValue({ hostCpu: null, rps: null, replicas }, settings, T0).value).toBe(50);
  });

  it('leaves out replicas that are starting, draining, stopping or failed', () => {
    const replicas = [
      replica('ready', 60, 20),
      replica('starting', 60, 100),
      replica('draining', 60, 100),
      replica('stopping', 60, 100),
      replica('failed', 60, 100),
    ];
    expect(metricValue({ hostCpu: null, rps: null, replicas }, settings, T0).value).toBe(20);
  });

  it('leaves out replicas whose CPU could not be read', () => {
    const replicas = [replica('ready', 60, 30), replica('ready', 60, null), replica('ready', 60, Number.NaN)];
    expect(metricValue({ hostCpu: null, rps: null, replicas }, settings, T0).value).toBe(30);
  });

  it('is null when no ready, warmed-up replica has a reading', () => {
    const cases: PolicyReplica[][] = [[], [replica('ready', 1, 90)], [replica('ready', 60, null)], [replica('starting', 60, 90)]];
    for (const replicas of cases) {
      expect(metricValue({ hostCpu: 50, rps: 10, replicas }, settings, T0).value).toBeNull();
    }
  });
});

describe('host-cpu metric', () => {
  const settings = policySettings({ metric: 'host-cpu' });

  it('is the host CPU reading, whatever the replicas do', () => {
    expect(metricValue({ hostCpu: 42.5, rps: null, replicas: [] }, settings, T0)).toEqual({ value: 42.5, label: 'host CPU' });
  });

  it('is null when the host CPU could not be read', () => {
    expect(metricValue({ hostCpu: null, rps: 5, replicas: [] }, settings, T0).value).toBeNull();
    expect(metricValue({ hostCpu: Number.POSITIVE_INFINITY, rps: 5, replicas: [] }, settings, T0).value).toBeNull();
  });
});

describe('rps-per-replica metric', () => {
  const settings = policySettings({ metric: 'rps-per-replica', warmupS: 30 });

  it('divides the request rate by the ready replicas, young ones included', () => {
    const replicas = [replica('ready', 60, 10), replica('ready', 1, null), replica('starting', 0, null), replica('draining', 60, 5)];
    expect(metricValue({ hostCpu: null, rps: 90, replicas }, settings, T0)).toEqual({ value: 45, label: 'rps per replica' });
  });

  it('is null when the request rate is missing or no replica is ready', () => {
    expect(metricValue({ hostCpu: 10, rps: null, replicas: [replica('ready', 60, 10)] }, settings, T0).value).toBeNull();
    expect(metricValue({ hostCpu: 10, rps: 100, replicas: [replica('starting', 60, 10)] }, settings, T0).value).toBeNull();
  });
});

describe('metric descriptions and number formatting', () => {
  it('labels each metric with its unit', () => {
    expect(describeMetric({ metric: 'replica-cpu' })).toMatchObject({ label: 'replica CPU', unit: '%' });
    expect(describeMetric({ metric: 'host-cpu' })).toMatchObject({ label: 'host CPU', unit: '%' });
    expect(describeMetric({ metric: 'rps-per-replica' })).toMatchObject({ label: 'rps per replica', unit: '' });
  });

  it.each([
    [86, '86'],
    [86.33333, '86.3'],
    [0.04, '0'],
    [-0.01, '0'],
    [7.25, '7.3'],
    [99.96, '100'],
    [1234.5, '1235'],
  ])('formats %s as %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});
