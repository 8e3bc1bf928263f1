// Types of scripts/start.js, for the tests that exercise its decision logic.
export declare const REPO_ROOT: string;
export declare const HEADLESS_ENTRY: string;
export declare const ELECTRON_ENTRY: string;
export declare const ELECTRON_MISSING_NOTICE: string;

export declare function electronBinaryPath(env?: NodeJS.ProcessEnv, resolveFrom?: string): string | null;

export type ShellChoice =
  | { kind: 'electron'; command: string; args: string[]; entry: string }
  | { kind: 'headless'; command: string; args: string[]; entry: string; notice: string };

export declare function chooseShell(electronBinary: string | null, args: readonly string[], nodePath?: string): ShellChoice;
