// Asks a frontend, one request at a time, which replica answers: to learn who serves now, and to time a new one.

export interface ProbeAnswer {
  host: string | null;
  status: number | null;
}

export async function probeOnce(frontend: string): Promise<ProbeAnswer> {
  try {
    const response = await fetch(frontend, { signal: AbortSignal.timeout(2_000) });
    const text = await response.text();
    try {
      return { host: (JSON.parse(text) as { host?: string }).host ?? null, status: response.status };
    } catch {
      return { host: null, status: response.status };
    }
  } catch {
    return { host: null, status: null };
  }
}

/** The replica hosts answering now: round robin shows each of `count` servers within a few rounds. */
export async function hostsServing(frontend: string, count: number): Promise<Set<string>> {
  const hosts = new Set<string>();
  for (let i = 0; i < count * 4 && hosts.size < count; i++) {
    const { host } = await probeOnce(frontend);
    if (host) hosts.add(host);
  }
  return hosts;
}

export interface NewHostResult {
  /** Epoch ms of the first answer from a host not in `known`, or null when none came within the time. */
  at: number | null;
  host: string | null;
  /** Probes that failed (non-2xx or no answer) while waiting: what a user's requests would have met. */
  failed: number;
  probes: number;
}

/** Polls until a replica not in `known` answers through the frontend. */
export async function waitForNewHost(frontend: string, known: ReadonlySet<string>, timeoutMs: number, everyMs = 20): Promise<NewHostResult> {
  const deadline = Date.now() + timeoutMs;
  let failed = 0;
  let probes = 0;
  while (Date.now() < deadline) {
    const answer = await probeOnce(frontend);
    const at = Date.now();
    probes += 1;
    if (answer.status === null || answer.status < 200 || answer.status > 299) failed += 1;
    else if (answer.host && !known.has(answer.host)) return { at, host: answer.host, failed, probes };
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return { at: null, host: null, failed, probes };
}
