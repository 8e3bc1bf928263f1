// Talks to HAProxy's runtime API over its admin UNIX socket: add, drain and delete servers, read stats.
import net from 'node:net';
import { CliSession, CliSessionClosed } from './cli-session.js';
import { serverParameters } from './config.js';
import { parseServersState, parseShowStat, type ServerState, type StatRecord } from './stat.js';

export type ServerAdminState = 'ready' | 'drain' | 'maint';

export interface AddServerOptions {
  /** Interval between health checks, in ms (default 1000). */
  checkInterMs?: number;
  /** Ramp the server's share of traffic over this many seconds when it enters rotation (0: at once). */
  slowStartS?: number;
}

export interface RemoveServerOptions {
  timeoutMs?: number;
  pollMs?: number;
}

/** HAProxy answered, but with a refusal. */
export class HaproxyCommandError extends Error {
  constructor(readonly command: string, readonly answer: string) {
    super(`HAProxy refused "${command}": ${answer.split('\n')[0] || '(empty answer)'}`);
    this.name = 'HaproxyCommandError';
  }
}

// The CLI answers a refused command with one sentence of text instead of a status code; these are its openings.
const REFUSALS = [
  /^No such\b/i,
  /^Unknown\b/i,
  /^unknown keyword\b/i,
  /^Require[sd]?\b/i,
  /^Invalid\b/i,
  /^Can't\b/i,
  /^Cannot\b/i,
  /^Unable\b/i,
  /^Missing\b/i,
  /^Expects?\b/i,
  /^Expected\b/i,
  /^Failed\b/i,
  /^Permission denied\b/i,
  /^Only servers\b/i,
  /^Already exists\b/i,
  /^Backend (must|is using)\b/i,
  /^Server still has\b/i,
  /^Out of memory\b/i,
  /^Not allowed\b/i,
  /^This command\b/i,
  /^'[^']+' (failed|expects|requires|only)\b/i,
  /\bfailed\b/i,
];

/** Returns HAProxy's refusal when the answer is one, undefined when it is a success or data. */
export function cliAnswerError(answer: string): string | undefined {
  const first = answer.split('\n').map((line) => line.trim()).find((line) => line !== '');
  if (first === undefined) return undefined;
  return REFUSALS.some((pattern) => pattern.test(first)) ? first : undefined;
}

const NAME = /^[A-Za-z0-9_.:-]+$/;

function checkName(what: string, value: string): void {
  if (!NAME.test(value)) {
    throw new Error(`Invalid ${what} "${value}": use only letters, digits, "_", ".", ":" and "-"`);
  }
}

function serverRef(backend: string, name: string): string {
  checkName('backend name', backend);
  checkName('server name', name);
  return `${backend}/${name}`;
}

/** The CLI splits arguments on spaces; a backslash keeps one in (a data folder such as "Application Support"). */
function cliWord(value: string): string {
  return value.replace(/([\\ ])/g, '\\$1');
}

/** Commands that change a server or a map entry: they must not land between a reload's copy of the state and its new worker. */
/**
 * The reads asked every tick, sent on one kept connection. `show info` is not among them: a reload asks it for the new
 * worker's pid, which a connection kept to the old worker would never tell.
 */
const KEPT_READ = /^(show stat|show servers state|scaledeck held)\b/;

const SERVER_CHANGE = /^(add server|del server|set server|enable health|disable health|shutdown sessions|add map|del map|set map)\b/;

export class RuntimeClient {
  /** When HAProxy last answered a command on this socket (performance.now() ms), any command; 0 before the first. */
  lastAnswerAt = 0;
  /** Counts server and map changes begun and ended, and reloads: a read asked before the count moved may miss one. */
  serverChanges = 0;

  private changesHeld: Promise<void> | null = null;
  private changesInFlight = 0;
  private changesSettled: (() => void) | null = null;
  private readonly session: CliSession;

  constructor(readonly socketPath: string, private readonly timeoutMs = 5_000) {
    this.session = new CliSession(socketPath, timeoutMs, (error) => this.socketError(error));
  }

  /** Closes the kept connection (the next read opens another); for a stop, and before and after a reload. */
  closeSession(): void {
    this.session.close();
  }

  /** Sends one command on its own connection; resolves with the answer, rejects on refusals and socket trouble. */
  async command(cmd: string): Promise<string> {
    if (/[\r\n]/.test(cmd)) throw new Error(`A runtime API command must be one line, got ${JSON.stringify(cmd)}`);
    const change = SERVER_CHANGE.test(cmd);
    if (change) {
      while (this.changesHeld) await this.changesHeld;
      this.changesInFlight++;
      this.serverChanges++;
    }
    try {
      const answer = await this.exchange(cmd);
      const refusal = cliAnswerError(answer);
      if (refusal !== undefined) throw new HaproxyCommandError(cmd, answer.trim());
      return answer;
    } finally {
      if (change) {
        this.serverChanges++;
        if (--this.changesInFlight === 0) this.changesSettled?.();
      }
    }
  }

  /**
   * Runs work while no command changes a server or a map: those already sent finish first, those asked for meanwhile
   * wait. A reload copies the servers' state into the new worker; a change sent to the old worker after the copy would
   * be lost (a drained server back in rotation in the new worker, a deleted one back from the dead).
   */
  async holdingServerChanges<T>(work: () => Promise<T>): Promise<T> {
    while (this.changesHeld) await this.changesHeld;
    let release!: () => void;
    this.changesHeld = new Promise((resolve) => (release = resolve));
    // The kept connection belongs to the worker a reload replaces; reads meanwhile use connections of their own, and
    // the next kept one, opened after the reload, reaches the new worker.
    this.session.close();
    try {
      if (this.changesInFlight > 0) await new Promise<void>((resolve) => (this.changesSettled = resolve));
      this.changesSettled = null;
      return await work();
    } finally {
      // A reload hands the servers to a new worker: what the old one answered is no longer the truth.
      this.serverChanges++;
      this.session.close();
      this.changesHeld = null;
      release();
    }
  }

  /** HAProxy 2.6 does not resolve names for servers added at run time, so host must be an IP address. */
  async addServer(backend: string, name: string, host: string, port: number, options: AddServerOptions = {}): Promise<void> {
    const ref = serverRef(backend, name);
    if (net.isIP(host) === 0) {
      throw new Error(`Cannot add server ${ref}: "${host}" is not an IP address, and HAProxy does not resolve names for servers added at run time`);
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Cannot add server ${ref}: invalid port ${port}`);
    const address = net.isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
    // default-server lines do not apply to servers added at run time, so every option goes on this line.
    await this.expect(`add server ${ref} ${address} ${serverParameters(options.checkInterMs, options.slowStartS)}`, (answer) => /New server registered/i.test(answer));
  }

  /** Sets one key of a map HAProxy loaded from `file` (its path as the config names it); memory only, not the file. */
  async setMapEntry(file: string, key: string, value: string): Promise<void> {
    checkName('map key', key);
    if (!/^[\x21-\x7e]+$/.test(value)) throw new Error(`A map value must be printable with no spaces, got ${JSON.stringify(value)}`);
    // `add map` on a present key adds a second entry that lookups never reach; so the old one goes first.
    await this.deleteMapEntry(file, key);
    await this.expect(`add map ${cliWord(file)} ${key} ${value}`, isEmpty);
  }

  /** Adds a pattern to an ACL HAProxy loaded from `file`; memory only, not the file. */
  async addAclEntry(file: string, pattern: string): Promise<void> {
    if (!/^[\x21-\x7e]+$/.test(pattern)) throw new Error(`An ACL pattern must be printable with no spaces, got ${JSON.stringify(pattern)}`);
    await this.expect(`add acl ${cliWord(file)} ${pattern}`, isEmpty);
  }

  /** Replaces every pattern of an ACL loaded from `file` at once (prepare, fill, commit); memory only, not the file. */
  async replaceAcl(file: string, patterns: string[]): Promise<void> {
    for (const pattern of patterns) {
      if (!/^[\x21-\x7e]+$/.test(pattern)) throw new Error(`An ACL pattern must be printable with no spaces, got ${JSON.stringify(pattern)}`);
    }
    const version = /New version created: (\d+)/.exec(await this.command(`prepare acl ${cliWord(file)}`))?.[1];
    if (version === undefined) throw new Error(`HAProxy did not open a new version of the ACL ${file}`);
    for (const pattern of patterns) await this.expect(`add acl @${version} ${cliWord(file)} ${pattern}`, isEmpty);
    await this.command(`commit acl @${version} ${cliWord(file)}`);
  }

  /** Removes a key from a loaded map; a missing key is no error. */
  async deleteMapEntry(file: string, key: string): Promise<void> {
    checkName('map key', key);
    await this.command(`del map ${cliWord(file)} ${key}`);
  }

  /** A server added at run time starts with its health checks disabled. */
  async enableHealth(backend: string, name: string): Promise<void> {
    await this.expect(`enable health ${serverRef(backend, name)}`, isEmpty);
  }

  async setState(backend: string, name: string, state: ServerAdminState): Promise<void> {
    await this.expect(`set server ${serverRef(backend, name)} state ${state}`, isEmpty);
  }

  /** Refused unless the server is in maint and has no active or idle connection and no queue. */
  async delServer(backend: string, name: string): Promise<void> {
    await this.expect(`del server ${serverRef(backend, name)}`, (answer) => /Server deleted/i.test(answer));
  }

  async shutdownSessions(backend: string, name: string): Promise<void> {
    await this.expect(`shutdown sessions server ${serverRef(backend, name)}`, isEmpty);
  }

  async showServersState(backend: string): Promise<ServerState[]> {
    checkName('backend name', backend);
    const cmd = `show servers state ${backend}`;
    return parseServersState(await this.expect(cmd, (answer) => answer.trimStart().startsWith('1')));
  }

  /** True while a server or map change is on its way to HAProxy or held back by a reload. */
  get changingServers(): boolean {
    return this.changesInFlight > 0 || this.changesHeld !== null;
  }

  /** `show servers state` of every backend, parsed. */
  async showServersStateAll(): Promise<ServerState[]> {
    return parseServersState(await this.dumpServersState());
  }

  /** `show servers state` for every backend, exactly as HAProxy writes it: the format `server-state-file` reads. */
  async dumpServersState(): Promise<string> {
    return this.expect('show servers state', (answer) => answer.trimStart().startsWith('1'));
  }

  /** Every row, or with `proxiesOnly` the frontends' and backends' (no row per server: what the sampler reads). */
  async showStat({ proxiesOnly = false }: { proxiesOnly?: boolean } = {}): Promise<StatRecord[]> {
    // Type mask 3: frontends (1) and backends (2) of every proxy (-1), every server id (-1).
    const cmd = proxiesOnly ? 'show stat -1 3 -1' : 'show stat';
    return parseShowStat(await this.expect(cmd, (answer) => answer.startsWith('# ')));
  }

  /** `show info` as key/value pairs, e.g. Version, Pid (the worker's), Uptime_sec, CurrConns. */
  async showInfo(): Promise<Record<string, string>> {
    const answer = await this.expect('show info', (text) => text.startsWith('Name:'));
    const info: Record<string, string> = {};
    for (const line of answer.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) info[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
    return info;
  }

  /**
   * Takes a server out for good: maint, then `del server` until HAProxy accepts it. Sessions are cut only once
   * none is active (what remains then are idle connections). Resolves false when the server did not exist.
   */
  async removeServer(backend: string, name: string, options: RemoveServerOptions = {}): Promise<boolean> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const pollMs = options.pollMs ?? 100;
    const deadline = Date.now() + timeoutMs;
    try {
      await this.setState(backend, name, 'maint');
    } catch (error) {
      if (error instanceof HaproxyCommandError && /^No such server/i.test(error.answer)) return false;
      throw error;
    }
    let sessionsShutDown = false;
    for (;;) {
      let refusal: string;
      try {
        await this.delServer(backend, name);
        return true;
      } catch (error) {
        if (!(error instanceof HaproxyCommandError)) throw error;
        if (/^No such server/i.test(error.answer)) return true;
        if (!/still has connections|maintenance mode/i.test(error.answer)) throw error;
        refusal = error.answer;
      }
      const stat = (await this.showStat()).find((row) => row.proxy === backend && row.server === name);
      if (!stat) return true;
      if (!stat.status.startsWith('MAINT')) {
        await this.setState(backend, name, 'maint');
      } else if (stat.scur === 0 && !sessionsShutDown) {
        await this.shutdownSessions(backend, name);
        sessionsShutDown = true;
        continue;
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `HAProxy did not let ${backend}/${name} be deleted within ${timeoutMs} ms: ${refusal} ` +
          `(status ${stat.status}, ${stat.scur} active sessions, ${stat.idleConnections} idle connections, ${stat.qcur} queued)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private async expect(cmd: string, accept: (answer: string) => boolean): Promise<string> {
    const answer = await this.command(cmd);
    if (!accept(answer)) throw new HaproxyCommandError(cmd, answer.trim());
    return answer;
  }

  private async exchange(cmd: string): Promise<string> {
    if (!KEPT_READ.test(cmd) || this.changesHeld !== null) return this.exchangeAlone(cmd);
    try {
      const answer = await this.session.send(cmd);
      this.lastAnswerAt = performance.now();
      return answer;
    } catch (error) {
      // Closed before it answered (idle timeout, a worker gone): a read is safe to ask again on its own connection.
      if (error instanceof CliSessionClosed) return this.exchangeAlone(cmd);
      throw error;
    }
  }

  /** One command on a connection of its own, which HAProxy closes after answering (no prompt). */
  private exchangeAlone(cmd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const socket = net.createConnection(this.socketPath);
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (error) {
          reject(error);
          return;
        }
        this.lastAnswerAt = performance.now();
        resolve(Buffer.concat(chunks).toString('utf8'));
      };
      const timer = setTimeout(() => {
        finish(new Error(`HAProxy runtime socket ${this.socketPath} did not answer "${cmd}" within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      // Without a prompt HAProxy answers one command, then closes the connection itself.
      socket.on('connect', () => socket.write(`${cmd}\n`));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => finish());
      socket.on('close', () => finish());
      socket.on('error', (error: NodeJS.ErrnoException) => finish(this.socketError(error)));
    });
  }

  private socketError(error: NodeJS.ErrnoException): Error {
    const path = this.socketPath;
    switch (error.code) {
      case 'ENOENT':
        return new Error(`HAProxy runtime socket ${path} does not exist: HAProxy is not running with this data folder`);
      case 'ECONNREFUSED':
        return new Error(`HAProxy runtime socket ${path} refused the connection: HAProxy is not running (the socket file is left over)`);
      case 'EACCES':
        return new Error(`No permission to use the HAProxy runtime socket ${path}: it belongs to another user (mode 600)`);
      default:
        return new Error(`Could not talk to the HAProxy runtime socket ${path}: ${error.message}`);
    }
  }
}

function isEmpty(answer: string): boolean {
  return answer.trim() === '';
}
