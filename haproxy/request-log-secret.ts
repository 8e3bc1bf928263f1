// The secret HAProxy writes into every request log line, so the listener can tell its lines from datagrams any local
// user can send to a UDP port: fresh for every config HAProxy starts or reloads on, kept in a 0600 file so a restarted
// app that adopts a running HAProxy knows the one it uses.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = 'request-log.secret';
const SECRET = /^[0-9a-f]{32}$/;
/**
 * After a reload the old worker still logs the requests it finishes, with the secret of its own config; its
 * hard-stop-after (10 s) bounds how long, this adds a margin.
 */
const RETIRED_SECRET_GRACE_MS = 30_000;

export function isRequestLogSecret(text: string): boolean {
  return SECRET.test(text);
}

export class RequestLogSecret {
  private current: string | null = null;
  private readonly retired = new Map<string, number>();

  constructor(private readonly dataDir: string, private readonly now: () => number = Date.now) {}

  get path(): string {
    return join(this.dataDir, FILE);
  }

  /** A secret no config has carried yet; it counts once commit() is called with it. */
  fresh(): string {
    return randomBytes(16).toString('hex');
  }

  /** The config carrying `secret` is the one HAProxy runs on now: its lines are accepted, and it is kept on disk. */
  commit(secret: string): void {
    if (!isRequestLogSecret(secret)) throw new Error('a request log secret is 32 lowercase hex digits');
    const previous = this.inUse();
    if (previous !== null && previous !== secret) this.retired.set(previous, this.now());
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${secret}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
    this.current = secret;
  }

  /** The secret of the config HAProxy runs on: the one committed last, by this app or by the one before it. */
  inUse(): string | null {
    if (this.current === null) {
      const stored = (() => {
        try {
          return readFileSync(this.path, 'utf8').trim();
        } catch {
          return '';
        }
      })();
      if (isRequestLogSecret(stored)) this.current = stored;
    }
    return this.current;
  }

  /** True for the secret in use, and for one retired by a reload moments ago. */
  accepts(candidate: string): boolean {
    const now = this.now();
    for (const [secret, retiredAt] of this.retired) {
      if (now - retiredAt > RETIRED_SECRET_GRACE_MS) this.retired.delete(secret);
    }
    const inUse = this.inUse();
    return [...(inUse === null ? [] : [inUse]), ...this.retired.keys()].some((secret) => sameText(secret, candidate));
  }
}

function sameText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}
