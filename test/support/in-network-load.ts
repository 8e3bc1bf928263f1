// Load from inside a Compose project's network: a container that calls a service by its name, exactly rate x duration
// requests at an even pace, each counted once as 2xx, another status or an error, and prints the counts when done.
import Dockerode from 'dockerode';

export interface InNetworkReport {
  issued: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  errorKinds: Record<string, number>;
  hosts: number;
}

// Runs in the container: no retries (a request that fails is counted as failed), bounded by count and a deadline.
const SCRIPT = `
const url = process.env.TARGET, rate = Number(process.env.RATE), total = rate * Number(process.env.DURATION_S);
const counts = { issued: 0, ok2xx: 0, non2xx: 0, errors: 0, errorKinds: {}, hosts: 0 };
const hosts = new Set();
const started = Date.now();
const one = async () => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(15000) });
    const body = await response.text();
    if (response.status >= 200 && response.status < 300) { counts.ok2xx++; try { hosts.add(JSON.parse(body).host); } catch {} }
    else counts.non2xx++;
  } catch (error) {
    counts.errors++;
    const kind = String(error.cause?.code ?? error.name);
    counts.errorKinds[kind] = (counts.errorKinds[kind] ?? 0) + 1;
  }
};
const pending = [];
const tick = setInterval(() => {
  const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
  while (counts.issued < due) { counts.issued++; pending.push(one()); }
  if (counts.issued >= total) {
    clearInterval(tick);
    Promise.all(pending).then(() => { counts.hosts = hosts.size; console.log(JSON.stringify(counts)); });
  }
}, 10);
`;

export interface InNetworkLoad {
  done: Promise<InNetworkReport>;
}

/** Starts the load container on `network` (removed when done); `image` needs `node` (the sample api's has it). */
export async function runInNetworkLoad(options: { docker: Dockerode; image: string; network: string; url: string; rate: number; durationS: number; name: string }): Promise<InNetworkLoad> {
  const { docker } = options;
  const container = await docker.createContainer({
    name: options.name,
    Image: options.image,
    Entrypoint: ['node', '-e', SCRIPT],
    Cmd: [],
    Env: [`TARGET=${options.url}`, `RATE=${options.rate}`, `DURATION_S=${options.durationS}`],
    Healthcheck: { Test: ['NONE'] },
    // A terminal: the log is the plain text printed, without the frames of a multiplexed stream.
    Tty: true,
    HostConfig: { NetworkMode: options.network },
  });
  // Attached before it starts, so nothing it prints is missed; a terminal's output comes as plain text.
  const output = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  await container.start();
  const done = (async () => {
    try {
      const deadlineMs = (options.durationS + 60) * 1000;
      await Promise.race([container.wait(), new Promise((_, reject) => setTimeout(() => reject(new Error(`the in-network load did not end within ${deadlineMs / 1000} s`)), deadlineMs))]);
      // The stream may deliver its last bytes just after the container ends.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const line = printed.split(/\r?\n/).find((l) => l.startsWith('{'));
      if (!line) throw new Error(`the in-network load printed no counts: ${printed.slice(-500)}`);
      return JSON.parse(line) as InNetworkReport;
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  })();
  return { done };
}
