// One connection to HAProxy's runtime API kept open in interactive (`prompt`) mode, so commands asked every tick cost
// a line each instead of a connection each. Commands go one at a time; each answer ends at the prompt HAProxy prints.
import net from 'node:net';

/** The connection closed or failed before the answer came; nothing says the command ran. */
export class CliSessionClosed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliSessionClosed';
  }
}

interface Pending {
  cmd: string;
  resolve: (answer: string) => void;
  reject: (error: Error) => void;
}

/** What HAProxy prints once an answer is complete, in interactive mode. */
const PROMPT = '\n> ';

export class CliSession {
  private socket: net.Socket | null = null;
  private buffer = '';
  /** The command whose answer is being read; the first one on a connection is `prompt` itself. */
  private current: Pending | null = null;
  private readonly waiting: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socketPath: string,
    private readonly timeoutMs: number,
    /** Turns a socket error into the message a person can act on. */
    private readonly describe: (error: NodeJS.ErrnoException) => Error,
  ) {}

  send(cmd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ cmd, resolve, reject });
      this.next();
    });
  }

  /** Ends the connection; commands still waiting fail with CliSessionClosed. */
  close(): void {
    this.fail(new CliSessionClosed(`The runtime API connection to ${this.socketPath} was closed`));
  }

  private connect(): net.Socket {
    const socket = net.createConnection(this.socketPath);
    // A kept connection must not keep the process alive: the app quits while HAProxy serves on.
    socket.unref();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(socket, chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(this.closed(socket, this.describe(error).message)));
    // HAProxy closes an idle one after its `stats timeout`, and a stopping worker closes its own.
    socket.on('close', () => this.fail(this.closed(socket, `The runtime API connection to ${this.socketPath} closed`)));
    this.socket = socket;
    this.buffer = '';
    this.current = { cmd: 'prompt', resolve: () => this.next(), reject: () => undefined };
    this.armTimer('prompt');
    socket.write('prompt\n');
    return socket;
  }

  private next(): void {
    if (this.current) return;
    const pending = this.waiting.shift();
    if (!pending) return;
    const socket = this.socket ?? this.connect();
    if (this.current) {
      // The connection was just opened: `prompt` answers first, then this command goes.
      this.waiting.unshift(pending);
      return;
    }
    this.current = pending;
    this.armTimer(pending.cmd);
    socket.write(`${pending.cmd}\n`);
  }

  private receive(socket: net.Socket, chunk: string): void {
    if (socket !== this.socket) return;
    this.buffer += chunk;
    if (!this.buffer.endsWith(PROMPT)) return;
    // The answer as a connection of its own would have it: what HAProxy wrote before the prompt.
    const answer = this.buffer.slice(0, -2);
    this.buffer = '';
    clearTimeout(this.timer);
    const done = this.current;
    this.current = null;
    done?.resolve(answer);
    this.next();
  }

  private armTimer(cmd: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fail(new Error(`HAProxy runtime socket ${this.socketPath} did not answer "${cmd}" within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    this.timer.unref();
  }

  private closed(socket: net.Socket, message: string): Error | null {
    return socket === this.socket ? new CliSessionClosed(message) : null;
  }

  /** Drops the connection and fails what was asked on it; the next command opens a new one. */
  private fail(error: Error | null): void {
    if (error === null) return;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    const failed = [...(this.current ? [this.current] : []), ...this.waiting.splice(0)];
    this.current = null;
    for (const pending of failed) pending.reject(error);
  }
}
