// The engine's floor for a scale-out: a bare `docker run` of the same image with the same limits, then polling its
// published port until it answers, timed the way the scale-out figure times ScaleDeck (request to first answer).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { APP_LABEL } from '../../electron/core/replicas/replica-driver.js';
import { defaultSettings } from '../../electron/contract/settings-schema.js';
import { removeContainersOf, sleep } from './headless-shell.js';
import { onTeardown } from './teardown.js';

const run = promisify(execFile);
/** How often the floor asks its container; the scale-out figure probes ScaleDeck's frontend as often, so both wait alike. */
export const POLL_MS = 5;
const ANSWER_TIMEOUT_MS = 30_000;

/** Seconds from `docker run` to the container's first answer on `/`, once per run; labelled `app` for the cleanup. */
export async function dockerRunFloor(app: string, runs: number): Promise<number[]> {
  const release = onTeardown(`the engine-floor containers of ${app}`, () => removeContainersOf(app));
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const startedAt = Date.now();
      const { stdout } = await run('docker', [
        'run', '-d', '--label', `${APP_LABEL}=${app}`, '-p', `127.0.0.1::${defaultSettings.containerPort}`,
        '--cpus', String(defaultSettings.cpuLimit), '--memory', `${defaultSettings.memoryLimitMb}m`, defaultSettings.image,
      ]);
      const id = stdout.trim();
      const port = (await run('docker', ['port', id, String(defaultSettings.containerPort)])).stdout.trim().split('\n')[0]?.split(':').at(-1);
      for (;;) {
        if (Date.now() - startedAt > ANSWER_TIMEOUT_MS) throw new Error(`the bare container ${id} did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
        const answered = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
        if (answered) break;
        await sleep(POLL_MS);
      }
      times.push((Date.now() - startedAt) / 1000);
      await run('docker', ['rm', '-f', id]);
    }
  } finally {
    await release();
  }
  return times;
}
