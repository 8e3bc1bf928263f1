// The first-run checks say what was found and, when something is wrong, the command that fixes it.
import { describe, expect, it } from 'vitest';
import type { SetupCheck } from '../../electron/contract/contract.js';
import { runSetupChecks, type SetupProbes } from '../../electron/core/setup-checks.js';

const CONTEXT = { image: 'scaledeck/api:latest', frontendPort: 8080 };

const healthy: SetupProbes = {
  docker: async () => ({ reachable: true, version: '28.2.2' }),
  haproxy: async () => '2.6.12',
  image: async () => true,
  portBlocker: async () => null,
};

async function check(id: SetupCheck['id'], probes: Partial<SetupProbes> = {}): Promise<SetupCheck> {
  const checks = await runSetupChecks({ ...healthy, ...probes }, CONTEXT);
  expect(checks.map((c) => c.id)).toEqual(['docker', 'haproxy', 'image', 'port']);
  return checks.find((c) => c.id === id)!;
}

describe('runSetupChecks', () => {
  it('reports every check ok, with what it found and no fix, on a ready machine', async () => {
    const checks = await runSetupChecks(healthy, CONTEXT);
    expect(checks).toEqual([
      { id: 'docker', ok: true, message: 'Docker 28.2.2' },
      { id: 'haproxy', ok: true, message: 'HAProxy 2.6.12' },
      { id: 'image', ok: true, message: 'Image scaledeck/api:latest is present' },
      { id: 'port', ok: true, message: 'Frontend port 8080 is available' },
    ]);
  });

  it('tells how to start Docker and how to get permission to use it when the engine does not answer', async () => {
    const error = 'Cannot reach the Docker engine at /var/run/docker.sock: connect ENOENT /var/run/docker.sock';
    const docker = await check('docker', { docker: async () => ({ reachable: false, version: null, error }) });
    expect(docker.ok).toBe(false);
    expect(docker.message).toBe(error);
    expect(docker.fix).toContain('sudo systemctl start docker');
    expect(docker.fix).toContain('usermod -aG docker');
  });

  it('treats a Docker probe that throws like an engine that does not answer', async () => {
    const docker = await check('docker', { docker: async () => Promise.reject(new Error('connect EACCES /var/run/docker.sock')) });
    expect(docker).toMatchObject({ ok: false, message: 'connect EACCES /var/run/docker.sock' });
    expect(docker.fix).toContain('usermod -aG docker');
  });

  it('tells how to install HAProxy when it is missing', async () => {
    const missing = 'HAProxy was not found on PATH; ScaleDeck needs HAProxy 2.6 or newer: sudo apt install haproxy';
    const haproxy = await check('haproxy', { haproxy: async () => Promise.reject(new Error(missing)) });
    expect(haproxy.ok).toBe(false);
    expect(haproxy.message).toBe(missing);
    expect(haproxy.fix).toContain('sudo apt install haproxy');
  });

  it('says which version was found and how to upgrade when HAProxy is too old', async () => {
    const tooOld = 'HAProxy 2.4.22 found; ScaleDeck needs 2.6 or newer for dynamic servers: sudo apt install haproxy';
    const haproxy = await check('haproxy', { haproxy: async () => Promise.reject(new Error(tooOld)) });
    expect(haproxy.ok).toBe(false);
    expect(haproxy.message).toContain('2.4.22');
    expect(haproxy.fix).toContain('sudo apt install haproxy');
  });

  it('offers to build the image when it is missing', async () => {
    const image = await check('image', { image: async () => false });
    expect(image.ok).toBe(false);
    expect(image.message).toContain('scaledeck/api:latest');
    expect(image.fix).toMatch(/Build the sample image/);
    expect(image.fix).toContain('npm run image');
  });

  it('asks for Docker before the image build when the engine is down', async () => {
    const image = await check('image', {
      docker: async () => ({ reachable: false, version: null }),
      image: async () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock')),
    });
    expect(image.ok).toBe(false);
    expect(image.fix).toMatch(/Start Docker first, then build the sample image/);
  });

  it('names the PID and program holding the frontend port, and what to do', async () => {
    const port = await check('port', { portBlocker: async () => 'port 8080 is used by PID 4242 (nginx)' });
    expect(port.ok).toBe(false);
    expect(port.message).toBe('Port 8080 is used by PID 4242 (nginx)');
    expect(port.fix).toMatch(/another frontendPort/);
  });

  it('reports Docker and the image as not needed with the process driver', async () => {
    const checks = await runSetupChecks({ ...healthy, docker: async () => null, image: async () => null }, CONTEXT);
    for (const id of ['docker', 'image'] as const) {
      const found = checks.find((c) => c.id === id)!;
      expect(found.ok).toBe(true);
      expect(found.message).toMatch(/^Not needed/);
      expect(found.fix).toBeUndefined();
    }
  });
});
