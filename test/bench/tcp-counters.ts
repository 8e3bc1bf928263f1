// TCP counters of this machine (Linux /proc): how many connections a run opened, how many closed ones linger.
import { readFileSync } from 'node:fs';

/** TCP ActiveOpens since boot: connect() calls that reached SYN-SENT, by any process on this machine. */
export function tcpActiveOpens(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((line) => line.startsWith('Tcp:'));
  const [names, values] = lines.map((line) => line.trim().split(/\s+/));
  const index = names?.indexOf('ActiveOpens') ?? -1;
  if (!names || !values || index < 0) throw new Error('/proc/net/snmp has no Tcp ActiveOpens counter: is this Linux?');
  return Number(values[index]);
}

/** TCP sockets of this network namespace in TIME-WAIT (/proc/net/tcp state 06): closed connections still holding their port. */
export function tcpTimeWait(): number {
  let count = 0;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    if (line.trim().split(/\s+/)[3] === '06') count += 1;
  }
  return count;
}
