// The top bar: is Docker there, is HAProxy running, where to send traffic, and whether the live stream is up.
import { memo, type ReactNode } from 'react';
import type { Snapshot } from '../electron/contract/contract.js';
import type { ConnectionState } from './bridge.js';

type Health = 'ok' | 'bad' | 'neutral' | 'busy';

function StatusItem({ label, health, children }: { label: string; health: Health; children: ReactNode }) {
  return (
    <div className={`status-item health-${health}`}>
      <span className="dot" aria-hidden="true" />
      <span className="status-label">{label}</span>
      <span className="status-detail">{children}</span>
    </div>
  );
}

const withoutScheme = (url: string): string => url.replace(/^https?:\/\//, '').replace(/\/$/, '');

const STREAM_TEXT: Record<ConnectionState, string> = { open: 'live', connecting: 'connecting…', reconnecting: 'reconnecting…' };

export interface StatusBarProps {
  docker: Snapshot['docker'];
  haproxy: Snapshot['haproxy'];
  driver: Snapshot['settings']['driver'];
  connection: ConnectionState;
}

export const StatusBar = memo(function StatusBar({ docker, haproxy, driver, connection }: StatusBarProps) {
  const dockerUsed = driver !== 'process';
  return (
    <header className="status-bar">
      <h1 className="brand">
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <rect x="3" y="13" width="4" height="8" rx="1" />
          <rect x="10" y="8" width="4" height="13" rx="1" />
          <rect x="17" y="3" width="4" height="18" rx="1" />
        </svg>
        ScaleDeck
      </h1>
      <StatusItem label="Docker" health={docker.reachable ? 'ok' : dockerUsed ? 'bad' : 'neutral'}>
        {docker.reachable ? (docker.version ?? 'reachable') : dockerUsed ? 'not reachable' : 'not used (process driver)'}
      </StatusItem>
      <StatusItem label="HAProxy" health={haproxy.running ? 'ok' : 'bad'}>
        {haproxy.running ? `running${haproxy.version ? ` ${haproxy.version}` : ''}` : 'stopped'}
      </StatusItem>
      <StatusItem label="Frontend" health="neutral">
        <a href={haproxy.frontendUrl} target="_blank" rel="noreferrer">
          {withoutScheme(haproxy.frontendUrl)}
        </a>
      </StatusItem>
      <StatusItem label="Stats" health="neutral">
        <a href={haproxy.statsUrl} target="_blank" rel="noreferrer">
          {withoutScheme(haproxy.statsUrl)}
        </a>
      </StatusItem>
      <div className="spacer" />
      <StatusItem label="Stream" health={connection === 'open' ? 'ok' : 'busy'}>
        <span role="status" aria-live="polite">
          {STREAM_TEXT[connection]}
        </span>
      </StatusItem>
    </header>
  );
});
