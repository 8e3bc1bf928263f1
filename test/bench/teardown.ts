// What the benchmark started and must stop again, even when a figure fails or the run is interrupted.

type Cleanup = () => Promise<void>;

const pending = new Map<number, { what: string; cleanup: Cleanup }>();
let nextKey = 0;

/** Registers a cleanup; the returned function runs it now (once) and unregisters it. */
export function onTeardown(what: string, cleanup: Cleanup): () => Promise<void> {
  const key = nextKey++;
  pending.set(key, { what, cleanup });
  return async () => {
    if (!pending.delete(key)) return;
    await cleanup();
  };
}

/** Runs every cleanup still registered, newest first; a failing one is reported and the rest still run. */
export async function teardownAll(log: (line: string) => void): Promise<void> {
  const entries = [...pending.entries()].reverse();
  pending.clear();
  for (const [, { what, cleanup }] of entries) {
    try {
      await cleanup();
    } catch (error) {
      log(`could not clean up ${what}: ${(error as Error).message}`);
    }
  }
}
