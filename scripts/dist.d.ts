// Types of scripts/dist.js, for the tests of how a failed packaging run ends.
export declare const LOG_FILE: string;
export declare function failureLine(output: string, exitDescription: string, logFile?: string): string;
