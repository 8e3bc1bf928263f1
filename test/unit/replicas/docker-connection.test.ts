// Specification of how a `dockerHost` setting becomes a connection: sockets, plain tcp, and TLS as the docker CLI does it.
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { dockerOptionsFor } from '../../../electron/core/replicas/docker-connection.js';

/** A certificate folder held in memory: file path -> contents. */
function pems(files: Record<string, string>) {
  return (file: string) => (file in files ? Buffer.from(files[file]!) : undefined);
}

const allCerts = pems({ '/certs/ca.pem': 'CA', '/certs/cert.pem': 'CERT', '/certs/key.pem': 'KEY' });

describe('dockerOptionsFor', () => {
  it('leaves an empty setting to dockerode\'s own default', () => {
    expect(dockerOptionsFor('')).toBeUndefined();
  });

  it.each([
    ['/var/run/docker.sock', '/var/run/docker.sock'],
    ['unix:///run/user/1000/docker.sock', '/run/user/1000/docker.sock'],
  ])('connects to the socket %s', (dockerHost, socketPath) => {
    expect(dockerOptionsFor(dockerHost)).toEqual({ socketPath });
  });

  it('speaks plain HTTP to tcp://host:2375 when DOCKER_TLS_VERIFY is not set', () => {
    expect(dockerOptionsFor('tcp://10.0.0.5:2375', { env: {} })).toEqual({ host: '10.0.0.5', port: 2375, protocol: 'http' });
    expect(dockerOptionsFor('tcp://[::1]:2375', { env: {} })).toEqual({ host: '::1', port: 2375, protocol: 'http' });
  });

  it('uses TLS with the certificates from DOCKER_CERT_PATH, verifying the engine, when DOCKER_TLS_VERIFY is set', () => {
    const options = dockerOptionsFor('tcp://docker.lan:2376', { env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, readPem: allCerts });
    expect(options).toEqual({
      host: 'docker.lan', port: 2376, protocol: 'https', ca: Buffer.from('CA'), cert: Buffer.from('CERT'), key: Buffer.from('KEY'),
    });
  });

  it('uses TLS on port 2376 without DOCKER_TLS_VERIFY too, encrypting without checking the engine\'s certificate', () => {
    const options = dockerOptionsFor('tcp://docker.lan:2376', { env: {}, home: '/home/ada', readPem: pems({ '/home/ada/.docker/cert.pem': 'C', '/home/ada/.docker/key.pem': 'K' }) });
    expect(options).toMatchObject({ host: 'docker.lan', port: 2376, protocol: 'https', cert: Buffer.from('C'), key: Buffer.from('K') });
    expect(options?.agent).toBeInstanceOf(https.Agent);
    expect((options?.agent as https.Agent).options.rejectUnauthorized).toBe(false);
  });

  it('uses TLS on any port when DOCKER_TLS_VERIFY is set', () => {
    expect(dockerOptionsFor('tcp://docker.lan:2375', { env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, readPem: allCerts })).toMatchObject({ protocol: 'https' });
  });

  it('says which file is missing when verification has no ca.pem', () => {
    expect(() => dockerOptionsFor('tcp://docker.lan:2376', { env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, readPem: pems({}) }))
      .toThrow('dockerHost: tcp://docker.lan:2376 uses TLS with DOCKER_TLS_VERIFY set, but /certs/ca.pem is missing');
  });

  it('refuses half a client certificate', () => {
    expect(() => dockerOptionsFor('tcp://docker.lan:2376', { env: { DOCKER_CERT_PATH: '/certs' }, readPem: pems({ '/certs/cert.pem': 'C' }) }))
      .toThrow(/only one of cert\.pem and key\.pem/);
  });

  it('refuses an address that is no socket and no tcp endpoint, naming dockerHost', () => {
    expect(() => dockerOptionsFor('garbage')).toThrow(/^dockerHost: /);
  });
});
