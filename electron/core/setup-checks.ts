// First-run checks (Docker, HAProxy, the image, the frontend port): what was found and, when wrong, what to do.
import type { SetupCheck } from '../contract/contract.js';

export interface SetupProbes {
  /** Docker engine status; null when the settings use no Docker engine (process driver). */
  docker: () => Promise<{ reachable: boolean; version: string | null; error?: string } | null>;
  /** HAProxy's version; rejects with a message a person can act on when missing or too old. */
  haproxy: () => Promise<string>;
  /** Whether the replica image exists; null when the driver needs no image. */
  image: () => Promise<boolean | null>;
  /** Null when the frontend port is free or already ours; otherwise who holds it. */
  portBlocker: () => Promise<string | null>;
}

export interface SetupContext {
  image: string;
  frontendPort: number;
}

export async function runSetupChecks(probes: SetupProbes, context: SetupContext): Promise<SetupCheck[]> {
  const [docker, haproxy, image, port] = await Promise.all([
    probes.docker().catch((error: Error) => ({ reachable: false, version: null, error: error.message })),
    probes.haproxy().then((version) => ({ version, error: null }), (error: Error) => ({ version: null, error: error.message })),
    probes.image().catch(() => false),
    probes.portBlocker().catch(() => null),
  ]);
  const checks: SetupCheck[] = [];

  if (docker === null) {
    checks.push({ id: 'docker', ok: true, message: 'Not needed: replicas run as local processes' });
  } else if (docker.reachable) {
    checks.push({ id: 'docker', ok: true, message: `Docker ${docker.version ?? ''}`.trim() });
  } else {
    checks.push({
      id: 'docker',
      ok: false,
      message: docker.error ?? 'The Docker engine does not answer',
      fix: 'Start it: sudo systemctl start docker. If it runs, let your user reach it: sudo usermod -aG docker $USER, then log in again.',
    });
  }

  if (haproxy.version) {
    checks.push({ id: 'haproxy', ok: true, message: `HAProxy ${haproxy.version}` });
  } else {
    checks.push({ id: 'haproxy', ok: false, message: haproxy.error ?? 'HAProxy was not found', fix: 'Install HAProxy 2.6 or newer: sudo apt install haproxy (macOS: brew install haproxy)' });
  }

  if (image === null) {
    checks.push({ id: 'image', ok: true, message: 'Not needed: replicas run as local processes' });
  } else if (image) {
    checks.push({ id: 'image', ok: true, message: `Image ${context.image} is present` });
  } else {
    checks.push({
      id: 'image',
      ok: false,
      message: `Image ${context.image} is not built yet`,
      fix: docker?.reachable === false ? 'Start Docker first, then build the sample image.' : 'Build the sample image (button below, or npm run image).',
    });
  }

  if (port === null) {
    const message = context.frontendPort === 0 ? 'Served only on the shared frontend: no frontend port of its own' : `Frontend port ${context.frontendPort} is available`;
    checks.push({ id: 'port', ok: true, message });
  } else {
    checks.push({ id: 'port', ok: false, message: `${port[0]?.toUpperCase()}${port.slice(1)}`, fix: `Choose another frontendPort in Settings, or stop that program.` });
  }
  return checks;
}
