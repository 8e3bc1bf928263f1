// Types of scripts/start.js, for the tests that exercise its decision logic.
export declare const REPO_ROOT: string;
export declare const HEADLESS_ENTRY: string;
export declare const ELECTRON_ENTRY: string;

export declare function electronMissingNotice(reason: string): string;
export declare function electronBinaryPath(env?: NodeJS.ProcessEnv, resolveFrom?: string): string | null;

export type ElectronAvailability = { binary: string; reason?: undefined } | { binary?: undefined; reason: string };
export declare function ensureElectron(options?: { resolveFrom?: string; out?: NodeJS.WritableStream & { isTTY?: boolean } }): Promise<ElectronAvailability>;

export type ShellChoice =
  | { kind: 'electron'; command: string; args: string[]; entry: string }
  | { kind: 'headless'; command: string; args: string[]; entry: string; notice: string };

export declare function chooseShell(electron: ElectronAvailability, args: readonly string[], nodePath?: string): ShellChoice;
