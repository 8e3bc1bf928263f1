// The process's last line of defence: an error nothing else caught is logged, and the control plane keeps serving.
/**
 * Installs handlers for uncaught exceptions and unhandled rejections. Without them one stray `error` event (a
 * client library's socket, a stream) would end the process; HAProxy and the replicas would keep serving, but no one
 * would scale or drain them. Every such error is a bug to fix: the log line says so, with the stack.
 */
export function keepServingOnStrayErrors(log: (line: string) => void): void {
  const report = (kind: string) => (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`[error] ${kind}, kept serving (please report this): ${text}`);
  };
  process.on('uncaughtException', report('uncaught exception'));
  process.on('unhandledRejection', report('unhandled promise rejection'));
}
