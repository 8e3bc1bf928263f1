// HAProxy's per-request log lines as ScaleDeck asks for them: the config lines that send one raw line per request
// to a local UDP port, and the parser for those lines.
import { isRequestLogSecret } from './request-log-secret.js';

/** Marks ScaleDeck's lines, so a datagram from anything else on the port is ignored. */
const TAG = 'scaledeck-req';

/** Where HAProxy sends its lines (UDP on 127.0.0.1), and the secret each line carries (request-log-secret.ts). */
export interface RequestLogTarget {
  port: number;
  secret: string;
  /**
   * An ACL file (which must exist) of ranges of a per-request random number in [0, LOG_SAMPLE_SCALE): a request
   * whose number falls in one is not logged. Empty logs every request; ScaleDeck narrows it as the rate grows
   * (unloggedRange), so the log costs a bounded number of lines per second. Absent: every request is logged.
   */
  sampleAcl?: string;
}

/** The random number each request draws is below this; "keep k in LOG_SAMPLE_SCALE" is the sampling ratio. */
export const LOG_SAMPLE_SCALE = 1_000_000;

/** The ACL pattern that leaves `kept` requests in LOG_SAMPLE_SCALE logged; null when every request is kept. */
export function unloggedRange(kept: number): string | null {
  if (!Number.isInteger(kept) || kept < 0 || kept > LOG_SAMPLE_SCALE) {
    throw new Error(`The request log keeps between 0 and ${LOG_SAMPLE_SCALE} requests in ${LOG_SAMPLE_SCALE}, got ${kept}`);
  }
  return kept === LOG_SAMPLE_SCALE ? null : `${kept}:${LOG_SAMPLE_SCALE - 1}`;
}

/**
 * The secret first, so a line proves it comes from the config ScaleDeck rendered. %Ta: active time, from the first
 * byte of the request to the last byte of the response, ms (excludes keep-alive idle time, which %Tt would count).
 * %Tt is kept for reference, %ST is the status HAProxy answered with, %b the backend that took the request (the
 * frontend's name when the frontend answered itself), last so that lines from before it was added still parse.
 */
export function requestLogFormat(secret: string): string {
  return `${TAG} ${secret} %Ta %Tt %ST %b`;
}

/** The frontend lines that send each request's timings, in raw form (no syslog header), to 127.0.0.1:`port`. */
export function requestLogLines({ port, secret, sampleAcl }: RequestLogTarget): string[] {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`HAProxy config: the request log port must be a port number between 1 and 65535, got ${port}`);
  }
  if (!isRequestLogSecret(secret)) throw new Error('HAProxy config: the request log secret must be 32 lowercase hex digits');
  if (sampleAcl !== undefined && /["\\$\n\r]/.test(sampleAcl)) {
    throw new Error(`HAProxy config: the request log sample ACL's path must not contain quotes, backslashes, "$" or line breaks: ${sampleAcl}`);
  }
  // Decided when the request arrives, so HAProxy neither builds nor sends the line of a request left out.
  const sampling = sampleAcl === undefined ? [] : [
    `acl scaledeck_unlogged rand(${LOG_SAMPLE_SCALE}) -m int -f "${sampleAcl}"`,
    'http-request set-log-level silent if scaledeck_unlogged',
  ];
  return [...sampling, `log 127.0.0.1:${port} len 256 format raw local0 info`, `log-format "${requestLogFormat(secret)}"`];
}

export interface RequestTiming {
  /** The secret the line carries; the listener checks it. */
  secret: string;
  /** %Ta, ms. */
  activeMs: number;
  /** %Tt, ms. */
  totalMs: number;
  /** %ST; -1 when HAProxy sent no response. */
  status: number;
  /** %b: the backend that took the request; absent in a line from a config without it. */
  backend?: string;
}

/**
 * One datagram -> its request's timings, or null for a line that is not ScaleDeck's or reports no timing
 * (HAProxy logs -1 for a request that never completed).
 */
export function parseRequestLogLine(line: string): RequestTiming | null {
  const fields = line.trim().split(/\s+/);
  const start = fields.indexOf(TAG);
  if (start < 0 || fields.length < start + 5) return null;
  const secret = fields[start + 1] as string;
  const [activeMs, totalMs, status] = fields.slice(start + 2, start + 5).map(Number) as [number, number, number];
  if (!Number.isInteger(activeMs) || !Number.isInteger(totalMs) || !Number.isInteger(status) || activeMs < 0) return null;
  const backend = fields[start + 5];
  return backend !== undefined && /^[A-Za-z0-9_.:-]+$/.test(backend) ? { secret, activeMs, totalMs, status, backend } : { secret, activeMs, totalMs, status };
}
