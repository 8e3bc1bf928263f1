// Specification of a process replica's environment: enough to run, never the app's secrets.
import { describe, expect, it } from 'vitest';
import { replicaEnvironment } from '../../../electron/core/replicas/replica-environment.js';

describe('replicaEnvironment', () => {
  const parent = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/ada',
    LANG: 'en_GB.UTF-8',
    SCALEDECK_TOKEN: 'secret-token-0123456789',
    SCALEDECK_DATA_DIR: '/home/ada/.config/scaledeck',
    DOCKER_HOST: 'tcp://10.0.0.5:2376',
    AWS_SECRET_ACCESS_KEY: 'nope',
    NODE_OPTIONS: '--inspect',
  };

  it('keeps what a Node server needs and adds the replica\'s own variables', () => {
    const env = replicaEnvironment(parent, { PORT: '41234', HOST: '127.0.0.1', API_HOST_NAME: 'proc-a' });
    expect(env).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/ada',
      LANG: 'en_GB.UTF-8',
      PORT: '41234',
      HOST: '127.0.0.1',
      API_HOST_NAME: 'proc-a',
    });
  });

  it('never passes the dashboard token or anything else of the app\'s', () => {
    const env = replicaEnvironment(parent, { PORT: '1' });
    expect(Object.keys(env).filter((name) => name.startsWith('SCALEDECK_') || name.startsWith('DOCKER_') || name.startsWith('AWS_'))).toEqual([]);
    expect(env.NODE_OPTIONS).toBeUndefined();
  });
});
