// Scaling ahead of the load with a real control plane (process driver, real HAProxy): a week of history in which a
// peak starts every day at the same time of day, placed a few minutes after the test starts. With `forecast: "scale"`
// ScaleDeck scales out before any request arrives, and the reason names the forecast.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../electron/core/settings-store.js';
import { startPlane, freePort, waitFor, type PlaneFixture } from '../support/control-plane-fixture.js';
import { writeHistoryFolder } from '../support/history-files.js';
import { hasHaproxy } from '../support/requirements.js';
import { recordedWeek } from '../support/synthetic-load.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

describe.skipIf(!hasHaproxy())('forecast scale mode on a recorded week', () => {
  let fixture: PlaneFixture;
  let startedAt: number;
  let peakAt: number;

  beforeAll(async () => {
    startedAt = Date.now();
    // The peak starts at the beginning of the minute 3 minutes from now, every day of the recorded week.
    peakAt = Math.floor(startedAt / MINUTE) * MINUTE + 3 * MINUTE;
    const peakOfDay = peakAt % DAY;
    const rpsAt = (at: number) => {
      const sincePeak = (((at % DAY) - peakOfDay) + DAY) % DAY;
      return sincePeak < 30 * MINUTE ? 150 : 5;
    };
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scaledeck-it-'));
    const store = new SettingsStore(dataDir);
    store.update({
      driver: 'process', mode: 'auto', frontendPort: await freePort(), statsPort: await freePort(), sampleIntervalMs: 500, minReplicas: 1, maxReplicas: 4,
      metric: 'rps-per-replica', scaleUpThreshold: 70, scaleDownThreshold: 30, forecast: 'scale', forecastLeadS: 300,
    });
    writeHistoryFolder(path.join(dataDir, 'history'), recordedWeek({ endMs: startedAt, days: 7, lastDayStepMs: 10_000, rpsAt, replicas: 1 }), startedAt);
    fixture = await startPlane({}, { dataDir });
  }, 60_000);
  afterAll(async () => {
    await fixture?.stop();
  });

  it('scales out to what the rules want for the forecast peak before it arrives, with no request sent', async () => {
    // 150 req/s at up to 70 per replica: 3 replicas.
    await waitFor(() => fixture.plane.snapshot().desired === 3, 90_000, 'the forecast scale-out to 3');
    expect(Date.now()).toBeLessThan(peakAt);
    const scale = fixture.plane.snapshot().events.filter((e) => e.kind === 'scale' && e.message.includes('forecast'));
    expect(scale[0]?.message).toMatch(/^1 -> 3: forecast 1\d\d req\/s at \d\d:\d\d \(rps-per-replica 70\), \d min ahead$/);
    await waitFor(() => fixture.ready() === 3, 60_000, 'three ready replicas');
    // Nothing was sent: the frontend's request rate stayed at 0 all along.
    expect(fixture.plane.snapshot().sample?.rps ?? 0).toBe(0);
  });

  it('answers the forecast with the peak in it, learnt from the week on disk', async () => {
    const answer = await fixture.plane.getForecast();
    if (!('result' in answer)) throw new Error(answer.error);
    expect(answer.result.metric).toBe('rps-per-replica');
    expect(answer.result.basedOnHours).toBeGreaterThanOrEqual(24 * 6);
    const atPeak = answer.result.points.find((p) => p.at >= peakAt + 5 * MINUTE);
    expect(atPeak?.value).toBeGreaterThan(100);
    expect(answer.result.replicas.some((r) => r.desired === 3)).toBe(true);
  });

  it('replays the last hours with the forecast in what-if, and reactive rules alone without it', async () => {
    const fromMs = startedAt - 2 * 3_600_000;
    const ahead = await fixture.plane.whatIf({ patch: { forecast: 'scale' }, fromMs });
    const reactive = await fixture.plane.whatIf({ patch: { forecast: 'show' }, fromMs });
    if (!('result' in ahead) || !('result' in reactive)) throw new Error('what-if failed');
    expect(ahead.result.model).toContain('forecast');
    expect(Math.max(...ahead.result.series.map((p) => p.desired))).toBe(3);
    expect(Math.max(...reactive.result.series.map((p) => p.desired))).toBe(1);
  });
});
