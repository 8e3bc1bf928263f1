// HAProxy's per-request log lines as ScaleDeck asks for them: the config lines that send one raw line per request
// to a local UDP port, and the parser for those lines.

/** Marks ScaleDeck's lines, so a datagram from anything else on the port is ignored. */
const TAG = 'scaledeck-req';

/**
 * %Ta: active time, from the first byte of the request to the last byte of the response, ms (excludes keep-alive
 * idle time, which %Tt would count). %Tt is kept for reference, %ST is the status HAProxy answered with.
 */
export const REQUEST_LOG_FORMAT = `${TAG} %Ta %Tt %ST`;

/** The frontend lines that send each request's timings, in raw form (no syslog header), to 127.0.0.1:`port`. */
export function requestLogLines(port: number): string[] {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`HAProxy config: the request log port must be a port number between 1 and 65535, got ${port}`);
  }
  return [`log 127.0.0.1:${port} len 256 format raw local0 info`, `log-format "${REQUEST_LOG_FORMAT}"`];
}

export interface RequestTiming {
  /** %Ta, ms. */
  activeMs: number;
  /** %Tt, ms. */
  totalMs: number;
  /** %ST; -1 when HAProxy sent no response. */
  status: number;
}

/**
 * One datagram -> its request's timings, or null for a line that is not ScaleDeck's or reports no timing
 * (HAProxy logs -1 for a request that never completed).
 */
export function parseRequestLogLine(line: string): RequestTiming | null {
  const fields = line.trim().split(/\s+/);
  const start = fields.indexOf(TAG);
  if (start < 0 || fields.length < start + 4) return null;
  const [activeMs, totalMs, status] = fields.slice(start + 1, start + 4).map(Number) as [number, number, number];
  if (!Number.isInteger(activeMs) || !Number.isInteger(totalMs) || !Number.isInteger(status) || activeMs < 0) return null;
  return { activeMs, totalMs, status };
}
